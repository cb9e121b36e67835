package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An agent context for tests: a given experience, recorded metrics and files, services by name. */
final class TestContext implements AgentContext {
    final Experience experience;
    final Path workDirectory;
    final long seed;
    final Map<String, Double> scalars = new ConcurrentHashMap<>();
    final List<Path> files = new CopyOnWriteArrayList<>();
    final Map<String, Object> services = new ConcurrentHashMap<>();

    TestContext(Experience experience, Path workDirectory, long seed) {
        this.experience = experience;
        this.workDirectory = workDirectory;
        this.seed = seed;
    }

    @Override
    public Experience experience() {
        return experience;
    }

    @Override
    public Optional<EpisodeRunner> episodeRunner() {
        return Optional.empty();
    }

    @Override
    public MetricsSink metrics() {
        return new MetricsSink() {
            @Override
            public void scalar(String name, double value) {
                scalars.put(name, value);
            }

            @Override
            public void file(String name, Path file) {
                files.add(file);
            }
        };
    }

    @Override
    public Path workDirectory() {
        return workDirectory;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public <S> Optional<S> service(Class<S> type, String name) {
        Object s = services.get(name);
        return type.isInstance(s) ? Optional.of(type.cast(s)) : Optional.empty();
    }
}
