/**
 * HTTP concerns the services share: who the caller is (set by the access-control module), RFC 9457 problem documents (mapped in one place),
 * bounded and strict JSON bodies, signed cursors, and the request context carried into commands.
 */
package dev.controlplane.httpsupport;
