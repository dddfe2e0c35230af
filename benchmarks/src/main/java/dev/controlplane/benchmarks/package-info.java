/** Benchmarks run as programs, never as tests: each prints its figures and ratios to baselines from the same run. */
package dev.controlplane.benchmarks;
