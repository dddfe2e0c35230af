/**
 * HTTP concerns the services share: bearer authentication, RFC 9457 problem documents (mapped in one place),
 * bounded and strict JSON bodies, signed cursors, and the request context carried into commands.
 */
package dev.controlplane.httpsupport;
