/**
 * The webhook dispatcher: projects subscriptions and one delivery per (subscription, matching event) from the log
 * into its store, and sends them signed (Standard Webhooks), retried on a schedule, guarded against SSRF.
 */
package dev.controlplane.webhooks;
