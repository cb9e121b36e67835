package io.worldgate.testkit;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the host lends an agent, without a host: a given experience, a {@link
 * RecordingMetricsSink}, a work directory, a seed, the CPU, and services registered by name with
 * {@link #withService}. It offers no episode runner, and a population evaluator only when given
 * one with {@link #withPopulationEvaluator}.
 */
public final class FakeAgentContext implements AgentContext {
    private final Experience experience;
    private final Path workDirectory;
    private final long seed;
    private final RecordingMetricsSink metrics = new RecordingMetricsSink();
    private final Map<String, Object> services = new ConcurrentHashMap<>();
    private PopulationEvaluator populationEvaluator;
    private String device = "cpu";

    public FakeAgentContext(Experience experience, Path workDirectory, long seed) {
        this.experience = experience;
        this.workDirectory = workDirectory;
        this.seed = seed;
    }

    /** Offers {@code service} to the agent under {@code name}; returns this context. */
    public FakeAgentContext withService(String name, Object service) {
        services.put(name, service);
        return this;
    }

    /** Asks the agent to run on {@code device} ({@code cpu}, {@code gpu} or {@code auto}); returns this context. */
    public FakeAgentContext withDevice(String device) {
        this.device = device;
        return this;
    }

    /** Lends {@code evaluator} (e.g. a {@link FakePopulationEvaluator}) to the agent; returns this context. */
    public FakeAgentContext withPopulationEvaluator(PopulationEvaluator evaluator) {
        this.populationEvaluator = evaluator;
        return this;
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
    public Optional<PopulationEvaluator> populationEvaluator() {
        return Optional.ofNullable(populationEvaluator);
    }

    @Override
    public RecordingMetricsSink metrics() {
        return metrics;
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
        return device;
    }

    @Override
    public <S> Optional<S> service(Class<S> type, String name) {
        Object s = services.get(name);
        return type.isInstance(s) ? Optional.of(type.cast(s)) : Optional.empty();
    }
}
