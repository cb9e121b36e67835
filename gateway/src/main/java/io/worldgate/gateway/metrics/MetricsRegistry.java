package io.worldgate.gateway.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges and counters, each a series keyed by metric name and labels, rendered in the Prometheus
 * text exposition format (version 0.0.4) by {@link #scrape}. Runs update series as they go; the
 * {@link PrometheusEndpoint} serves the text. Thread-safe.
 *
 * <pre>{@code
 * Counter steps = registry.counter("worldgate_run_steps_total", "Env steps taken.", labels("run", id));
 * steps.inc(numEnvs);
 * registry.gauge("worldgate_run_steps_per_second", "Recent env steps per second.", labels("run", id)).set(sps);
 * }</pre>
 *
 * Names follow Prometheus rules ({@code [a-zA-Z_:][a-zA-Z0-9_:]*} for metrics,
 * {@code [a-zA-Z_][a-zA-Z0-9_]*} for labels); counter names end in {@code _total}.
 */
public final class MetricsRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistry.class);
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** The Prometheus metric types this registry serves. */
    public enum Type {
        COUNTER, GAUGE;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Family(String name, Type type, String help, ConcurrentMap<SortedMap<String, String>, DoubleSupplier> series) {}

    private final ConcurrentMap<String, Family> families = new ConcurrentHashMap<>();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    /** Labels from alternating names and values: {@code labels("run", "r1", "state", "RUNNING")}. */
    public static Map<String, String> labels(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            labels.put(namesAndValues[i], Objects.requireNonNull(namesAndValues[i + 1], namesAndValues[i]));
        }
        return labels;
    }

    /** The gauge of this name and labels, created at 0 on first use. */
    public Gauge gauge(String name, String help, Map<String, String> labels) {
        SortedMap<String, String> key = key(labels);
        DoubleSupplier metric = family(name, Type.GAUGE, help).series.computeIfAbsent(key, k -> new Gauge());
        if (!(metric instanceof Gauge g)) {
            throw new IllegalArgumentException(name + labels + " is a gauge function, not a settable gauge");
        }
        return g;
    }

    /**
     * A gauge whose value is read from {@code value} at every scrape (replacing any series of the
     * same name and labels). A supplier that throws leaves its series out of that scrape.
     */
    public void gauge(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        Objects.requireNonNull(value, "value");
        SortedMap<String, String> key = key(labels);
        family(name, Type.GAUGE, help).series.put(key, value::getAsDouble);
    }

    /** The counter of this name and labels, created at 0 on first use. */
    public Counter counter(String name, String help, Map<String, String> labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter names end in _total: " + name);
        }
        SortedMap<String, String> key = key(labels);
        return (Counter) family(name, Type.COUNTER, help).series.computeIfAbsent(key, k -> new Counter());
    }

    /** Removes one series; whether it existed. */
    public boolean remove(String name, Map<String, String> labels) {
        Family f = families.get(name);
        return f != null && f.series.remove(key(labels)) != null;
    }

    /** Removes every series carrying {@code label="value"}, for example all of one run; how many. */
    public int removeAll(String label, String value) {
        int removed = 0;
        for (Family f : families.values()) {
            for (SortedMap<String, String> labels : f.series.keySet()) {
                if (value.equals(labels.get(label)) && f.series.remove(labels) != null) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Runs {@code hook} at the start of every scrape, to refresh series from their source. */
    public void beforeScrape(Runnable hook) {
        beforeScrape.add(Objects.requireNonNull(hook, "hook"));
    }

    /** The current value of a series, if it exists (read now for gauge functions). */
    public OptionalDouble value(String name, Map<String, String> labels) {
        Family f = families.get(name);
        DoubleSupplier s = f == null ? null : f.series.get(key(labels));
        return s == null ? OptionalDouble.empty() : OptionalDouble.of(s.getAsDouble());
    }

    /** All series in the Prometheus text format: families by name, each with HELP and TYPE lines. */
    public String scrape() {
        for (Runnable hook : beforeScrape) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("a metrics refresh hook failed: {}", e.toString());
            }
        }
        StringBuilder out = new StringBuilder(4096);
        List<Family> sorted = new ArrayList<>(families.values());
        sorted.sort((a, b) -> a.name.compareTo(b.name));
        for (Family f : sorted) {
            List<Map.Entry<String, Double>> samples = new ArrayList<>();
            f.series.forEach((labels, metric) -> {
                try {
                    samples.add(Map.entry(labelText(labels), metric.getAsDouble()));
                } catch (RuntimeException e) {
                    LOG.warn("gauge {}{} failed: {}", f.name, labels, e.toString());
                }
            });
            if (samples.isEmpty()) {
                continue;
            }
            samples.sort(Map.Entry.comparingByKey());
            out.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type.text()).append('\n');
            for (Map.Entry<String, Double> s : samples) {
                out.append(f.name).append(s.getKey()).append(' ').append(number(s.getValue())).append('\n');
            }
        }
        return out.toString();
    }

    private Family family(String name, Type type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
        Family f = families.computeIfAbsent(name, n -> new Family(n, type, Objects.requireNonNull(help, "help"),
                new ConcurrentHashMap<>()));
        if (f.type != type) {
            throw new IllegalArgumentException(name + " is a " + f.type.text() + ", not a " + type.text());
        }
        return f;
    }

    private static SortedMap<String, String> key(Map<String, String> labels) {
        SortedMap<String, String> key = new TreeMap<>();
        labels.forEach((name, value) -> {
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException("not a Prometheus label name: " + name);
            }
            key.put(name, Objects.requireNonNull(value, name));
        });
        return Collections.unmodifiableSortedMap(key);
    }

    private static String labelText(SortedMap<String, String> labels) {
        if (labels.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        labels.forEach((name, value) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(name).append("=\"");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '"' -> b.append("\\\"");
                    case '\n' -> b.append("\\n");
                    default -> b.append(c);
                }
            }
            b.append('"');
        });
        return b.append('}').toString();
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** A sample value as Prometheus parses it: integers without a fraction, NaN, +Inf, -Inf. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A value that goes up and down. */
    public static final class Gauge implements DoubleSupplier {
        private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0));

        public void set(double value) {
            bits.set(Double.doubleToRawLongBits(value));
        }

        public void add(double delta) {
            bits.accumulateAndGet(0, (old, unused) -> Double.doubleToRawLongBits(Double.longBitsToDouble(old) + delta));
        }

        public double get() {
            return Double.longBitsToDouble(bits.get());
        }

        @Override
        public double getAsDouble() {
            return get();
        }
    }

    /** A total that only goes up (it restarts at 0 only with the process). */
    public static final class Counter implements DoubleSupplier {
        private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0));

        public void inc() {
            inc(1);
        }

        public void inc(double amount) {
            if (!(amount >= 0)) {
                throw new IllegalArgumentException("a counter only goes up, not by " + amount);
            }
            bits.accumulateAndGet(0, (old, unused) -> Double.doubleToRawLongBits(Double.longBitsToDouble(old) + amount));
        }

        /** Raises the counter to {@code total} if that is higher; for sources that report totals. */
        public void advanceTo(double total) {
            bits.accumulateAndGet(0, (old, unused) ->
                    total > Double.longBitsToDouble(old) ? Double.doubleToRawLongBits(total) : old);
        }

        public double get() {
            return Double.longBitsToDouble(bits.get());
        }

        @Override
        public double getAsDouble() {
            return get();
        }
    }
}
