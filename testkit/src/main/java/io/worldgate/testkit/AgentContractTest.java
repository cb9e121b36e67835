package io.worldgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every agent plugin keeps, as the host relies on it. A plugin's tests extend this
 * class and name their factory (and, to keep the tests fast, a small configuration):
 *
 * <pre>{@code
 * class MyAgentContractTest extends AgentContractTest {
 *     protected AgentFactory factory() { return new MyAgentFactory(); }
 * }
 * }</pre>
 *
 * <p>For every spec of {@link TestSpecs#everyKind} the agent accepts: it acts validly in both
 * modes and on another number of environments, trains on stored experience with finite metrics,
 * saves a checkpoint that a differently seeded agent loads and then acts and trains from, rejects a
 * directory that is no checkpoint of its own with {@link IncompatibleCheckpointException} (or an
 * {@link IOException}), and leaves no thread behind when closed. An agent that drives its own
 * generations ({@link TrainingCadence#GENERATIONS}) trains with a {@link FakePopulationEvaluator}
 * in its context, and each generation must take environment steps.
 */
public abstract class AgentContractTest {
    private static final int ENVS = 3;

    /** The plugin's factory. */
    protected abstract AgentFactory factory();

    /** The preset the tests use; null for the agent's default. */
    protected String preset() {
        return null;
    }

    /** Configuration overrides, e.g. a small batch so that updates are quick. */
    protected Map<String, String> config() {
        return Map.of();
    }

    /** Updates asked of {@code train} in each test. */
    protected int updates() {
        return 1;
    }

    /**
     * Whether an agent that loaded a checkpoint acts in EVAL mode exactly as the agent that saved
     * it did right after saving, on the same observations (true for a deterministic evaluation
     * policy, or one whose random state is in the checkpoint). This is what shows that the
     * checkpoint holds what the agent learnt; say false only for an agent whose evaluation draws
     * from a generator the checkpoint cannot carry.
     */
    protected boolean evaluationRepeatsAfterLoad() {
        return true;
    }

    private static double[] values(Tensor t) {
        double[] v = new double[(int) t.numElements()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getDouble(i);
        }
        return v;
    }

    /** Steps stored in the experience before the agent trains. */
    protected int storedSteps() {
        return 200;
    }

    private Stream<EnvSpec> acceptedSpecs() {
        AgentFactory factory = factory();
        List<EnvSpec> accepted = TestSpecs.everyKind(ENVS).stream()
                .filter(s -> factory.incompatibility(s).isEmpty()).toList();
        assertThat(accepted).as("%s accepts none of the test specs", factory.descriptor().name()).isNotEmpty();
        return accepted.stream();
    }

    private Agent create(EnvSpec spec, FakeExperience experience, Path dir, long seed) {
        return create(spec, experience, dir, seed, null);
    }

    /**
     * An agent whose context lends {@code evaluator}; an agent that drives its own generations
     * gets one over {@link FakePopulationEvaluator.Reward#towardsTheLowestAction} when it is null.
     */
    private Agent create(EnvSpec spec, FakeExperience experience, Path dir, long seed, FakePopulationEvaluator evaluator) {
        AgentConfig config = AgentConfig.resolve(factory().descriptor(), preset(), config());
        FakeAgentContext context = new FakeAgentContext(experience, dir, seed);
        if (evaluator == null && drivesItsOwnGenerations()) {
            evaluator = new FakePopulationEvaluator(spec, FakePopulationEvaluator.Reward.towardsTheLowestAction(spec),
                    experience, seed);
        }
        if (evaluator != null) {
            context.withPopulationEvaluator(evaluator);
        }
        return factory().create(spec, config, context);
    }

    private boolean drivesItsOwnGenerations() {
        return factory().descriptor().cadence() == TrainingCadence.GENERATIONS;
    }

    private static void assertValid(EnvSpec spec, Tensor actions, int n) {
        assertThat(spec.actionSpace().validateBatch(actions, n)).as("%s: actions %s", spec.id(), actions).isEmpty();
    }

    private static boolean[] flags(int n, boolean value) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, value);
        return b;
    }

    @Test
    void actsValidlyInEverySpaceItAccepts(@TempDir Path dir) {
        SplittableRandom rng = new SplittableRandom(1);
        acceptedSpecs().forEach(spec -> {
            try (Agent agent = create(spec, RandomRollouts.of(spec, storedSteps(), 1), dir, 1)) {
                for (ActMode mode : ActMode.values()) {
                    assertValid(spec, agent.act(StepBatches.random(spec, flags(ENVS, true), rng), mode), ENVS);
                    for (int t = 0; t < 3; t++) {
                        assertValid(spec, agent.act(StepBatches.random(spec, flags(ENVS, false), rng), mode), ENVS);
                    }
                }
                // evaluation may run on another number of environments than training
                assertValid(spec, agent.act(StepBatches.random(spec, flags(1, true), rng), ActMode.EVAL), 1);
                // an episode that begins in one environment only
                boolean[] one = flags(ENVS, false);
                one[1] = true;
                assertValid(spec, agent.act(StepBatches.random(spec, one, rng), ActMode.EXPLORE), ENVS);
            }
        });
    }

    @Test
    void savesAndLoadsAndGoesOnActingAndTraining(@TempDir Path dir) throws Exception {
        SplittableRandom rng = new SplittableRandom(2);
        for (EnvSpec spec : acceptedSpecs().toList()) {
            FakeExperience experience = RandomRollouts.of(spec, storedSteps(), 2);
            Path checkpoint = Files.createDirectories(dir.resolve(spec.id().replace(':', '-')));
            StepBatch probe = StepBatches.random(spec, flags(ENVS, true), rng);
            double[] expected;
            try (Agent first = create(spec, experience, dir, 3)) {
                first.act(StepBatches.random(spec, flags(ENVS, true), rng), ActMode.EXPLORE);
                assertThat(first.train(updates()).values()).as("%s: train metrics", spec.id())
                        .allSatisfy(v -> assertThat(v).isFinite());
                first.save(checkpoint);
                expected = values(first.act(probe, ActMode.EVAL));
            }
            try (Stream<Path> files = Files.list(checkpoint)) {
                assertThat(files.count()).as("%s: files in the checkpoint", spec.id()).isPositive();
            }
            try (Agent second = create(spec, experience, dir, 4)) {
                second.load(checkpoint);
                Tensor restored = second.act(probe, ActMode.EVAL);
                assertValid(spec, restored, ENVS);
                if (evaluationRepeatsAfterLoad()) {
                    assertThat(values(restored)).as("%s: evaluation actions of the loaded agent (a differently seeded one)",
                            spec.id()).containsExactly(expected);
                }
                assertValid(spec, second.act(StepBatches.random(spec, flags(ENVS, false), rng), ActMode.EXPLORE), ENVS);
                assertThat(second.train(updates()).values()).allSatisfy(v -> assertThat(v).isFinite());
            }
        }
    }

    @Test
    void aGenerationTakesEnvironmentStepsThroughThePopulationEvaluator(@TempDir Path dir) {
        Assumptions.assumeTrue(drivesItsOwnGenerations(), "the host's replay ratio drives this agent's updates");
        EnvSpec spec = acceptedSpecs().findFirst().orElseThrow();
        FakeExperience experience = RandomRollouts.of(spec, storedSteps(), 8);
        FakePopulationEvaluator evaluator = new FakePopulationEvaluator(spec,
                FakePopulationEvaluator.Reward.towardsTheLowestAction(spec), experience, 8);
        try (Agent agent = create(spec, experience, dir, 8, evaluator)) {
            long stored = experience.numSteps();
            agent.train(1);
            // a generation that takes no step would never spend the run's budget: the host pauses such a run
            assertThat(evaluator.steps()).as("environment steps of one generation").isPositive();
            assertThat(experience.numSteps()).as("experience after one generation").isGreaterThan(stored);
        }
    }

    @Test
    void rejectsADirectoryThatHoldsNoCheckpointOfItsOwn(@TempDir Path dir) throws IOException {
        EnvSpec spec = acceptedSpecs().findFirst().orElseThrow();
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("checkpoint.properties"), "format=somebody-else\n");
        try (Agent agent = create(spec, RandomRollouts.of(spec, storedSteps(), 5), dir, 5)) {
            assertThatThrownBy(() -> agent.load(foreign)).isInstanceOfAny(IncompatibleCheckpointException.class,
                    IOException.class);
        }
    }

    @Test
    void leavesNoThreadBehindWhenClosed(@TempDir Path dir) throws InterruptedException {
        EnvSpec spec = acceptedSpecs().findFirst().orElseThrow();
        SplittableRandom rng = new SplittableRandom(6);
        // a first agent may start lazily shared pools (an engine's, the JIT's): not the agent's to stop
        try (Agent warm = create(spec, RandomRollouts.of(spec, storedSteps(), 6), dir, 6)) {
            warm.act(StepBatches.random(spec, flags(ENVS, true), rng), ActMode.EXPLORE);
            warm.train(updates());
        }
        java.util.Set<Thread> before = liveThreads();
        for (int i = 0; i < 3; i++) {
            try (Agent agent = create(spec, RandomRollouts.of(spec, storedSteps(), 7 + i), dir, 7 + i)) {
                agent.act(StepBatches.random(spec, flags(ENVS, true), rng), ActMode.EXPLORE);
                agent.train(updates());
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!startedSince(before).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(startedSince(before).stream().map(Thread::getName).toList())
                .as("threads started by three agents and still alive after they were closed").isEmpty();
    }

    private static java.util.Set<Thread> liveThreads() {
        java.util.Set<Thread> live = new java.util.HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).forEach(live::add);
        return live;
    }

    /** Threads alive now that were not in {@code before}, daemon or not. */
    private static List<Thread> startedSince(java.util.Set<Thread> before) {
        return liveThreads().stream().filter(t -> !before.contains(t)).toList();
    }
}
