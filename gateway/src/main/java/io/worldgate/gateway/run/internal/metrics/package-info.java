/**
 * Where a run's metrics go: {@code metrics.jsonl}, TensorBoard event files, images, GIFs and
 * learning-curve plots in the run directory, and a Prometheus {@code /metrics} endpoint fed from a
 * {@link io.worldgate.gateway.run.internal.metrics.MetricsRegistry}.
 */
package io.worldgate.gateway.run.internal.metrics;
