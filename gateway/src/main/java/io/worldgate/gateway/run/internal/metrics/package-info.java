/**
 * The writers behind a run's metrics: {@code metrics.jsonl}, TensorBoard event files, images, GIFs
 * and learning-curve plots in the run directory, and the run's scalars mirrored into a
 * {@link io.worldgate.gateway.metrics.MetricsRegistry}. Opened together by
 * {@link io.worldgate.gateway.run.RunMetricsFiles}.
 */
package io.worldgate.gateway.run.internal.metrics;
