package io.worldgate.bench.gpu;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.space.DictSpace;
import java.nio.file.Path;
import java.util.Optional;

/** The testkit's contexts with the device choice the host would pass for {@code --device}. */
public final class OnDevice {
    private OnDevice() {}

    /** {@code base} with {@code device} ({@code cpu}, {@code gpu} or {@code auto}). */
    public static AgentContext agent(AgentContext base, String device) {
        return new Agent(base, device);
    }

    /** {@code base} with {@code device} ({@code cpu}, {@code gpu} or {@code auto}). */
    public static LearnerContext learner(LearnerContext base, String device) {
        return new Learner(base, device);
    }

    private record Agent(AgentContext base, String device) implements AgentContext {
        @Override
        public Experience experience() {
            return base.experience();
        }

        @Override
        public Optional<EpisodeRunner> episodeRunner() {
            return base.episodeRunner();
        }

        @Override
        public Optional<PopulationEvaluator> populationEvaluator() {
            return base.populationEvaluator();
        }

        @Override
        public MetricsSink metrics() {
            return base.metrics();
        }

        @Override
        public Path workDirectory() {
            return base.workDirectory();
        }

        @Override
        public long seed() {
            return base.seed();
        }

        @Override
        public <S> Optional<S> service(Class<S> type, String name) {
            return base.service(type, name);
        }
    }

    private record Learner(LearnerContext base, String device) implements LearnerContext {
        @Override
        public Experience experience() {
            return base.experience();
        }

        @Override
        public DictSpace observationSpace() {
            return base.observationSpace();
        }

        @Override
        public MetricsSink metrics() {
            return base.metrics();
        }

        @Override
        public Path workDirectory() {
            return base.workDirectory();
        }

        @Override
        public long seed() {
            return base.seed();
        }
    }
}
