/**
 * The gateway's Prometheus metrics: a {@link io.worldgate.gateway.metrics.MetricsRegistry} of
 * gauges and counters, the {@code /metrics} endpoint that serves it
 * ({@link io.worldgate.gateway.metrics.PrometheusEndpoint}), and the standard series of every run
 * ({@link io.worldgate.gateway.metrics.RunMetricsExporter}). A run's own files (metrics.jsonl,
 * TensorBoard) are {@link io.worldgate.gateway.run.RunMetricsFiles}.
 */
package io.worldgate.gateway.metrics;
