package io.worldgate.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The contract test catches what it is there to catch: it passes for a sound agent and fails for
 * one that acts outside its space, one that loads anything, and one that leaves a thread running.
 */
class AgentContractTestTest {
    private static final List<Thread> LEAKED = new CopyOnWriteArrayList<>();

    @AfterAll
    static void stopLeakedThreads() {
        LEAKED.forEach(Thread::interrupt);
    }

    /** Discrete actions only; {@code choose} maps the env index to its action. */
    static class Discrete implements Agent {
        private final int n;
        private final IntUnaryOperator choose;
        private final boolean checksItsCheckpoint;

        Discrete(int n, IntUnaryOperator choose, boolean checksItsCheckpoint) {
            this.n = n;
            this.choose = choose;
            this.checksItsCheckpoint = checksItsCheckpoint;
        }

        @Override
        public Tensor act(StepBatch observations, ActMode mode) {
            int[] a = new int[observations.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = choose.applyAsInt(i) % (n + 1);
            }
            return Tensor.ofInts(a, a.length);
        }

        @Override
        public Map<String, Double> train(int updates) {
            return Map.of("loss", 0.5);
        }

        @Override
        public void save(Path directory) throws java.io.IOException {
            Files.writeString(directory.resolve("discrete.txt"), "discrete-v1");
        }

        @Override
        public void load(Path directory) throws java.io.IOException, IncompatibleCheckpointException {
            if (checksItsCheckpoint && !Files.exists(directory.resolve("discrete.txt"))) {
                throw new IncompatibleCheckpointException("not a checkpoint of this agent");
            }
        }

        @Override
        public void close() {}
    }

    enum Flaw { NONE, OUT_OF_SPACE, LOADS_ANYTHING, LEAKS_A_THREAD, FORGETS_WHAT_IT_LEARNT, GENERATIONS_SOUND,
        GENERATIONS_WITHOUT_STEPS }

    static boolean drivesGenerations(Flaw flaw) {
        return flaw == Flaw.GENERATIONS_SOUND || flaw == Flaw.GENERATIONS_WITHOUT_STEPS;
    }

    abstract static class Contract extends AgentContractTest {
        abstract Flaw flaw();

        @Override
        protected AgentFactory factory() {
            Flaw flaw = flaw();
            return new AgentFactory() {
                @Override
                public AgentDescriptor descriptor() {
                    AgentDescriptor d = new AgentDescriptor("flawed", "", EnumSet.of(ActionKind.DISCRETE), Set.of(), List.of(), Map.of(), null);
                    return drivesGenerations(flaw) ? d.withCadence(TrainingCadence.GENERATIONS) : d;
                }

                @Override
                public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
                    int n = ((io.worldgate.api.space.DiscreteSpace) spec.actionSpace()).n();
                    if (flaw == Flaw.LEAKS_A_THREAD) {
                        Thread t = new Thread(() -> {
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException stopped) {
                                Thread.currentThread().interrupt();
                            }
                        }, "leaked-by-agent");
                        t.setDaemon(true);
                        t.start();
                        LEAKED.add(t);
                    }
                    // an agent whose "learnt" choice comes from its own seed and is not in its checkpoint
                    int learnt = (int) Math.floorMod(context.seed(), (long) n);
                    IntUnaryOperator choose = flaw == Flaw.OUT_OF_SPACE ? i -> n
                            : flaw == Flaw.FORGETS_WHAT_IT_LEARNT ? i -> (i + learnt) % n : i -> i % n;
                    if (flaw == Flaw.GENERATIONS_SOUND) {
                        PopulationEvaluator evaluator = context.populationEvaluator().orElseThrow();
                        return new Discrete(n, choose, true) {
                            @Override
                            public Map<String, Double> train(int generations) {
                                double best = evaluator.evaluate(List.of(o -> act(o, ActMode.EXPLORE), o -> act(o, ActMode.EVAL)), 1)
                                        .meanReturn(0);
                                return Map.of("best", best);
                            }
                        };
                    }
                    return new Discrete(n, choose, flaw != Flaw.LOADS_ANYTHING);
                }
            };
        }
    }

    static final class Sound extends Contract {
        Flaw flaw() {
            return Flaw.NONE;
        }
    }

    static final class OutOfSpace extends Contract {
        Flaw flaw() {
            return Flaw.OUT_OF_SPACE;
        }
    }

    static final class LoadsAnything extends Contract {
        Flaw flaw() {
            return Flaw.LOADS_ANYTHING;
        }
    }

    static final class LeaksAThread extends Contract {
        Flaw flaw() {
            return Flaw.LEAKS_A_THREAD;
        }
    }

    static final class ForgetsWhatItLearnt extends Contract {
        Flaw flaw() {
            return Flaw.FORGETS_WHAT_IT_LEARNT;
        }
    }

    static final class DrivesGenerations extends Contract {
        Flaw flaw() {
            return Flaw.GENERATIONS_SOUND;
        }
    }

    static final class GenerationsWithoutSteps extends Contract {
        Flaw flaw() {
            return Flaw.GENERATIONS_WITHOUT_STEPS;
        }
    }

    private static void run(Class<?> contract, String method, boolean passes) {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(contract, method, "java.nio.file.Path"))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test(method), passes ? finishedSuccessfully() : finishedWithFailure()));
    }

    @Test
    void aSoundAgentPassesEveryPart() {
        for (String method : List.of("actsValidlyInEverySpaceItAccepts", "savesAndLoadsAndGoesOnActingAndTraining",
                "rejectsADirectoryThatHoldsNoCheckpointOfItsOwn", "leavesNoThreadBehindWhenClosed")) {
            run(Sound.class, method, true);
        }
    }

    @Test
    void anAgentThatDrivesItsGenerationsThroughTheEvaluatorPassesEveryPart() {
        for (String method : List.of("actsValidlyInEverySpaceItAccepts", "savesAndLoadsAndGoesOnActingAndTraining",
                "aGenerationTakesEnvironmentStepsThroughThePopulationEvaluator", "leavesNoThreadBehindWhenClosed")) {
            run(DrivesGenerations.class, method, true);
        }
    }

    @Test
    void aGenerationThatTakesNoStepFails() {
        run(GenerationsWithoutSteps.class, "aGenerationTakesEnvironmentStepsThroughThePopulationEvaluator", false);
    }

    @Test
    void actionsOutsideTheSpaceFail() {
        run(OutOfSpace.class, "actsValidlyInEverySpaceItAccepts", false);
    }

    @Test
    void loadingAForeignCheckpointSilentlyFails() {
        run(LoadsAnything.class, "rejectsADirectoryThatHoldsNoCheckpointOfItsOwn", false);
    }

    @Test
    void aCheckpointThatDoesNotCarryWhatWasLearntFails() {
        run(ForgetsWhatItLearnt.class, "savesAndLoadsAndGoesOnActingAndTraining", false);
    }

    @Test
    void aThreadLeftRunningFails() {
        run(LeaksAThread.class, "leavesNoThreadBehindWhenClosed", false);
    }
}
