package io.worldgate.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The learner contract test catches what it is there to catch: it passes for a sound learner (the
 * running mean of sampled state frames) and fails for one that loads anything, one whose checkpoint
 * forgets what it learnt, one whose metrics are not finite, and one that leaves a thread running.
 */
class LearnerContractTestTest {
    private static final List<Thread> LEAKED = new CopyOnWriteArrayList<>();

    @AfterAll
    static void stopLeakedThreads() {
        LEAKED.forEach(Thread::interrupt);
    }

    enum Flaw { NONE, LOADS_ANYTHING, FORGETS_WHAT_IT_LEARNT, NAN_METRICS, LEAKS_A_THREAD }

    /** The running mean of the first element of sampled {@code state} frames. */
    static final class MeanOfState implements Learner {
        private final LearnerContext context;
        private final Flaw flaw;
        private final SplittableRandom rng;
        private long count;
        private double mean;

        MeanOfState(LearnerContext context, Flaw flaw) {
            this.context = context;
            this.flaw = flaw;
            this.rng = new SplittableRandom(context.seed());
        }

        @Override
        public Map<String, Double> update() {
            Tensor state = context.experience().sampleFrames(8, List.of("state"), rng).get("state");
            for (int i = 0; i < state.dim(0); i++) {
                count++;
                mean += (state.getDouble((long) i * state.dim(1)) - mean) / count;
            }
            return Map.of("mean", flaw == Flaw.NAN_METRICS ? Double.NaN : mean);
        }

        @Override
        public void save(Path directory) throws IOException {
            // a forgetful learner saves its seed instead of what it learnt
            String learnt = flaw == Flaw.FORGETS_WHAT_IT_LEARNT ? Long.toString(context.seed()) : count + " " + mean;
            Files.writeString(directory.resolve("mean.txt"), "mean-v1 " + learnt);
        }

        @Override
        public void load(Path directory) throws IOException, IncompatibleCheckpointException {
            Path file = directory.resolve("mean.txt");
            if (flaw == Flaw.LOADS_ANYTHING) {
                return;
            }
            if (!Files.exists(file) || !Files.readString(file).startsWith("mean-v1 ")) {
                throw new IncompatibleCheckpointException("not a checkpoint of this learner");
            }
            String[] parts = Files.readString(file).split(" ");
            if (parts.length == 3) {
                count = Long.parseLong(parts[1]);
                mean = Double.parseDouble(parts[2]);
            }
        }

        @Override
        public void close() {}
    }

    abstract static class Contract extends LearnerContractTest {
        abstract Flaw flaw();

        @Override
        protected LearnerFactory factory() {
            Flaw flaw = flaw();
            return new LearnerFactory() {
                @Override
                public LearnerDescriptor descriptor() {
                    return new LearnerDescriptor("mean-of-state", "", Set.of("state"),
                            List.of(ConfigKey.integer("unused", 1, 0, 9, "a key, to resolve")));
                }

                @Override
                public Learner create(LearnerContext context, AgentConfig config) {
                    if (flaw == Flaw.LEAKS_A_THREAD) {
                        Thread t = new Thread(() -> {
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException stopped) {
                                Thread.currentThread().interrupt();
                            }
                        }, "leaked-by-learner");
                        t.setDaemon(true);
                        t.start();
                        LEAKED.add(t);
                    }
                    return new MeanOfState(context, flaw);
                }
            };
        }
    }

    static final class Sound extends Contract {
        Flaw flaw() {
            return Flaw.NONE;
        }
    }

    static final class LoadsAnything extends Contract {
        Flaw flaw() {
            return Flaw.LOADS_ANYTHING;
        }
    }

    static final class ForgetsWhatItLearnt extends Contract {
        Flaw flaw() {
            return Flaw.FORGETS_WHAT_IT_LEARNT;
        }
    }

    static final class NanMetrics extends Contract {
        Flaw flaw() {
            return Flaw.NAN_METRICS;
        }
    }

    static final class LeaksAThread extends Contract {
        Flaw flaw() {
            return Flaw.LEAKS_A_THREAD;
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
    void aSoundLearnerPassesEveryPart() {
        for (String method : List.of("updatesWithFiniteMetrics", "savesAndLoadsAndGoesOnUpdating",
                "rejectsADirectoryThatHoldsNoCheckpointOfItsOwn", "leavesNoThreadBehindWhenClosed")) {
            run(Sound.class, method, true);
        }
    }

    @Test
    void loadingAForeignCheckpointSilentlyFails() {
        run(LoadsAnything.class, "rejectsADirectoryThatHoldsNoCheckpointOfItsOwn", false);
    }

    @Test
    void aCheckpointThatDoesNotCarryWhatWasLearntFails() {
        run(ForgetsWhatItLearnt.class, "savesAndLoadsAndGoesOnUpdating", false);
    }

    @Test
    void nonFiniteMetricsFail() {
        run(NanMetrics.class, "updatesWithFiniteMetrics", false);
    }

    @Test
    void aThreadLeftRunningFails() {
        run(LeaksAThread.class, "leavesNoThreadBehindWhenClosed", false);
    }
}
