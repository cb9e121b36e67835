package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.plan.ActionPrior;
import io.worldgate.runtime.plan.LatentModel;
import io.worldgate.runtime.plan.Plan;
import io.worldgate.runtime.plan.Planner;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.StepBatches;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TdMpc2AgentTest {
    /** A DMC walker's sizes: 24 state dimensions, 6 actions in [-1, 1], 500-step episodes. */
    private static EnvSpec walkerLike(int envs) {
        return new EnvSpec("test:walker-like", new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))),
                BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), envs, 500, Map.of());
    }

    private static TdMpc2Agent agent(EnvSpec spec, String preset, Map<String, String> overrides, Path dir, long seed,
            Planner planner) {
        AgentConfig config = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), preset, overrides);
        FakeExperience exp = RandomRollouts.of(spec, 300, seed);
        return new TdMpc2Agent(spec, TdMpc2Config.from(config), new FakeAgentContext(exp, dir, seed), planner);
    }

    @Test
    void refusesDiscreteActions() {
        EnvSpec discrete = TestSpecs.of("d", Map.of(DictSpace.STATE, TestSpecs.state(4)), new DiscreteSpace(3), 1);
        assertThat(new TdMpc2AgentFactory().incompatibility(discrete)).isPresent();
        assertThat(new TdMpc2AgentFactory().incompatibility(walkerLike(1))).isEmpty();
    }

    @Test
    void discountFollowsTheEpisodeLengthHeuristic(@TempDir Path dir) {
        try (TdMpc2Agent a = agent(walkerLike(1), "debug", Map.of(), dir, 1, null)) {
            // 500 steps: L/5 = 100, (100 - 1) / 100
            assertThat(a.discount()).isCloseTo(0.99f, within(1e-6f));
        }
        try (TdMpc2Agent a = agent(walkerLike(1), "debug", Map.of("discount", "0.9"), dir, 1, null)) {
            assertThat(a.discount()).isEqualTo(0.9f);
        }
    }

    /** The preset sizes against the paper's model sizes, on a walker's observation and action sizes. */
    @Test
    void presetsHaveThePapersModelSizes(@TempDir Path dir) {
        long five;
        long one;
        try (TdMpc2Agent a = agent(walkerLike(1), "5M", Map.of("batch_size", "4"), dir, 1, null)) {
            five = a.parameterCount();
        }
        try (TdMpc2Agent a = agent(walkerLike(1), "1M", Map.of("batch_size", "4"), dir, 1, null)) {
            one = a.parameterCount();
        }
        System.out.printf("tdmpc2 parameters on a walker (24 state, 6 actions): 5M preset %,d, 1M preset %,d%n", five, one);
        assertThat(five).isBetween(4_500_000L, 5_500_000L);
        assertThat(one).isBetween(500_000L, 1_500_000L);
    }

    /** A few dozen updates on one fixed batch bring the model loss well down. */
    @Test
    void updatesReduceTheLossOnAFixedBatch(@TempDir Path dir) {
        EnvSpec spec = walkerLike(1);
        try (TdMpc2Agent a = agent(spec, "debug", Map.of(), dir, 2, null)) {
            FakeExperience exp = RandomRollouts.of(spec, 300, 2);
            SequenceBatch batch = exp.sampleSequences(SampleRequest.of(16, 4).withSlicing(Slicing.WITHIN_EPISODE),
                    new SplittableRandom(2));
            List<Double> losses = new ArrayList<>();
            Map<String, Double> firstMetrics = null;
            Map<String, Double> lastMetrics = null;
            long start = 0;
            try (NoGradient off = NoGradient.open()) {
                for (int i = 0; i < 40; i++) {
                    if (i == 10) {
                        start = System.nanoTime();
                    }
                    Map<String, Double> m = a.update(batch);
                    assertThat(m.values()).allSatisfy(v -> assertThat(v).isFinite());
                    losses.add(m.get("loss/total"));
                    firstMetrics = firstMetrics == null ? m : firstMetrics;
                    lastMetrics = m;
                }
            }
            double ms = (System.nanoTime() - start) / 30 / 1e6;
            System.out.printf("tdmpc2 debug preset: %.1f ms per update (batch 16, horizon 3); loss/total %.4f -> %.4f%n",
                    ms, losses.get(0), losses.get(losses.size() - 1));
            System.out.println("first update " + firstMetrics + "\nlast update " + lastMetrics);
            // at the paper's lr 3e-4, 40 steps take a quarter off the total, most of it from the consistency term
            assertThat(losses.get(losses.size() - 1)).isLessThan(0.75 * losses.get(0));
            assertThat(lastMetrics.get("loss/consistency")).isLessThan(0.5 * firstMetrics.get("loss/consistency"));
            assertThat(lastMetrics.get("loss/reward")).isLessThan(0.95 * firstMetrics.get("loss/reward"));
            assertThat(lastMetrics.get("loss/value")).isLessThan(0.95 * firstMetrics.get("loss/value"));
            assertThat(a.updates()).isEqualTo(40);
        }
    }

    /**
     * With {@code precision=bf16} (hidden activations in bfloat16 between the products; emulated by
     * libtorch where the CPU lacks bfloat16, so this runs on any machine) updates learn on a fixed
     * batch as in float32 and MPPI plans valid actions: every metric finite, the total loss down by a
     * quarter in 40 updates.
     */
    @Test
    void updatesAndPlansWithBfloat16Activations(@TempDir Path dir) {
        String before = System.getProperty(io.worldgate.runtime.nn.Precision.EMULATE_PROPERTY);
        System.setProperty(io.worldgate.runtime.nn.Precision.EMULATE_PROPERTY, "true");
        EnvSpec spec = walkerLike(1);
        try (TdMpc2Agent a = agent(spec, "debug", Map.of("precision", "bf16"), dir, 2,
                TdMpc2Planning.create(TdMpc2Config.from(AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug",
                        Map.of())), 6))) {
            assertThat(a.precision()).isEqualTo(io.worldgate.runtime.nn.Precision.BF16);
            FakeExperience exp = RandomRollouts.of(spec, 300, 2);
            SequenceBatch batch = exp.sampleSequences(SampleRequest.of(16, 4).withSlicing(Slicing.WITHIN_EPISODE),
                    new SplittableRandom(2));
            List<Double> losses = new ArrayList<>();
            try (NoGradient off = NoGradient.open()) {
                for (int i = 0; i < 40; i++) {
                    Map<String, Double> m = a.update(batch);
                    assertThat(m.values()).allSatisfy(v -> assertThat(v).isFinite());
                    losses.add(m.get("loss/total"));
                }
            }
            assertThat(losses.get(losses.size() - 1)).isLessThan(0.75 * losses.get(0));
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < 3; i++) {
                Tensor action = a.act(StepBatches.random(spec, new boolean[] {i == 0}, rng), ActMode.EXPLORE);
                assertThat(spec.actionSpace().validateBatch(action, 1)).isEmpty();
            }
        } finally {
            if (before == null) {
                System.clearProperty(io.worldgate.runtime.nn.Precision.EMULATE_PROPERTY);
            } else {
                System.setProperty(io.worldgate.runtime.nn.Precision.EMULATE_PROPERTY, before);
            }
        }
    }

    /**
     * With a planner, each act mode keeps its plan per environment: the first call starts cold, the
     * next one is warm-started from the previous plan, and an environment whose episode begins is
     * marked fresh. The adapters give the planner latents on the simplex, rewards and values per row.
     */
    @Test
    void actingWithAPlannerWarmStartsFromThePreviousPlanAndResetsAtIsFirst(@TempDir Path dir) {
        EnvSpec spec = walkerLike(3);
        RecordingPlanner planner = new RecordingPlanner();
        try (TdMpc2Agent a = agent(spec, "debug", Map.of(), dir, 3, planner)) {
            SplittableRandom rng = new SplittableRandom(3);
            a.train(1); // before its first update the agent explores at random, without planning
            Tensor first = a.act(StepBatches.random(spec, new boolean[] {true, true, true}, rng), ActMode.EXPLORE);
            assertThat(spec.actionSpace().validateBatch(first, 3)).isEmpty();
            assertThat(planner.previousGiven).containsExactly(false);
            a.act(StepBatches.random(spec, new boolean[] {false, false, false}, rng), ActMode.EXPLORE);
            a.act(StepBatches.random(spec, new boolean[] {false, true, false}, rng), ActMode.EXPLORE);
            // another mode keeps its own plans: it starts cold
            a.act(StepBatches.random(spec, new boolean[] {false, false, false}, rng), ActMode.EVAL);
            assertThat(planner.previousGiven).containsExactly(false, true, true, false);
            assertThat(planner.fresh.get(1)).containsExactly(false, false, false);
            assertThat(planner.fresh.get(2)).containsExactly(false, true, false);
            // the previous plan handed back is the one the planner returned the call before
            assertThat(planner.previousMeans.get(2)).containsExactly(planner.returnedMeans.get(1));
            assertThat(planner.modelChecks).allSatisfy(ok -> assertThat(ok).isTrue());
        }
    }

    /** Before its first update, exploring acts uniformly at random (the paper's seeding) and plans nothing. */
    @Test
    void exploresAtRandomWithoutPlanningBeforeItsFirstUpdate(@TempDir Path dir) {
        EnvSpec spec = walkerLike(64);
        RecordingPlanner planner = new RecordingPlanner();
        try (TdMpc2Agent a = agent(spec, "debug", Map.of(), dir, 5, planner)) {
            SplittableRandom rng = new SplittableRandom(5);
            Tensor actions = a.act(StepBatches.random(spec, new boolean[64], rng), ActMode.EXPLORE);
            assertThat(spec.actionSpace().validateBatch(actions, 64)).isEmpty();
            assertThat(planner.previousGiven).isEmpty();
            // spread over the whole box: a random policy, not an untrained prior's narrow guesses
            double low = Double.MAX_VALUE;
            double high = -Double.MAX_VALUE;
            for (long i = 0; i < actions.numElements(); i++) {
                low = Math.min(low, actions.getDouble(i));
                high = Math.max(high, actions.getDouble(i));
            }
            assertThat(low).isLessThan(-0.9);
            assertThat(high).isGreaterThan(0.9);
            // evaluation plans even before any update
            a.act(StepBatches.random(spec, new boolean[64], rng), ActMode.EVAL);
            assertThat(planner.previousGiven).hasSize(1);
        }
    }

    /**
     * TD-MPC2 pretrains on its seed data: an agent made for a fresh run (nothing stored yet) owes one
     * update per stored step from its first training on, paid at most PRETRAINING_CHUNK (50) per
     * training on top of what it is asked; one made on a run's stored experience (a swap, a resume)
     * takes only what it is asked, as does a fresh one with the key off.
     */
    @Test
    void aFreshRunsFirstTrainingTakesOneUpdatePerSeedStep(@TempDir Path dir) {
        EnvSpec spec = walkerLike(1);
        AgentConfig config = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", Map.of());
        AgentConfig off = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug",
                Map.of("seed_pretraining", "false"));
        FakeExperience fresh = RandomRollouts.of(spec, 0, 1);
        FakeExperience freshOff = RandomRollouts.of(spec, 0, 1);
        try (TdMpc2Agent a = new TdMpc2Agent(spec, TdMpc2Config.from(config), new FakeAgentContext(fresh, dir, 1), null);
                TdMpc2Agent b = new TdMpc2Agent(spec, TdMpc2Config.from(config),
                        new FakeAgentContext(RandomRollouts.of(spec, 60, 2), dir, 2), null);
                TdMpc2Agent c = new TdMpc2Agent(spec, TdMpc2Config.from(off), new FakeAgentContext(freshOff, dir, 3), null)) {
            RandomRollouts.into(fresh, spec, 60, 1); // the prefill, stored after the agent was made
            RandomRollouts.into(freshOff, spec, 60, 3);
            a.train(1);
            assertThat(a.updates()).isEqualTo(51); // 1 asked + 50 of the 59 more owed
            a.train(1);
            assertThat(a.updates()).isEqualTo(61); // 1 + the last 9: the 60 seed updates are paid
            a.train(1);
            assertThat(a.updates()).isEqualTo(62);
            b.train(1);
            assertThat(b.updates()).isEqualTo(1);
            c.train(1);
            assertThat(c.updates()).isEqualTo(1);
        }
    }

    /**
     * The seed updates still owed travel in checkpoints: a run stopped in the middle of its
     * pretraining, or right after its prefill (before any training), pays the rest after a resume,
     * though the agent then is made on stored experience (no fresh run); one resumed with
     * {@code seed_pretraining=false} pays none.
     */
    @Test
    void seedUpdatesOwedSurviveACheckpoint(@TempDir Path dir) throws Exception {
        EnvSpec spec = walkerLike(1);
        AgentConfig config = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", Map.of());
        FakeExperience fresh = RandomRollouts.of(spec, 0, 1);
        Path midway = dir.resolve("midway");
        Path prefill = dir.resolve("prefill");
        try (TdMpc2Agent a = new TdMpc2Agent(spec, TdMpc2Config.from(config), new FakeAgentContext(fresh, dir, 1), null)) {
            RandomRollouts.into(fresh, spec, 120, 1);
            a.save(prefill);
            a.train(1);
            assertThat(a.updates()).isEqualTo(51);
            a.save(midway);
        }
        try (TdMpc2Agent b = new TdMpc2Agent(spec, TdMpc2Config.from(config),
                new FakeAgentContext(RandomRollouts.of(spec, 120, 2), dir, 2), null)) {
            b.load(midway);
            b.train(1);
            assertThat(b.updates()).isEqualTo(102); // 51 + 1 + 50 of the 69 still owed
            b.train(1);
            assertThat(b.updates()).isEqualTo(122); // 1 + the last 19
            b.load(prefill);
            b.train(1);
            assertThat(b.updates()).isEqualTo(51); // the whole pretraining: 120 stored steps now
        }
        AgentConfig off = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug",
                Map.of("seed_pretraining", "false"));
        try (TdMpc2Agent c = new TdMpc2Agent(spec, TdMpc2Config.from(off),
                new FakeAgentContext(RandomRollouts.of(spec, 120, 3), dir, 3), null)) {
            c.load(midway); // resumed with the pretraining turned off: nothing more is owed
            c.train(1);
            assertThat(c.updates()).isEqualTo(52);
            c.load(prefill);
            c.train(1);
            assertThat(c.updates()).isEqualTo(1);
        }
    }

    /** A checkpoint carries the EMA target heads, the optimizers' step counts, the Q scale and the update count. */
    @Test
    void checkpointCarriesTargetsOptimizerStateAndCounters(@TempDir Path dir) throws Exception {
        EnvSpec spec = walkerLike(1);
        Path checkpoint = dir.resolve("ckpt");
        float[] target;
        double scale;
        try (TdMpc2Agent a = agent(spec, "debug", Map.of("tau", "0.5"), dir, 5, null)) {
            a.train(5);
            target = firstTargetWeight(a);
            scale = a.qScaleValue();
            a.save(checkpoint);
        }
        try (TdMpc2Agent b = agent(spec, "debug", Map.of("tau", "0.5"), dir, 6, null)) {
            assertThat(firstTargetWeight(b)).isNotEqualTo(target);
            b.load(checkpoint);
            assertThat(firstTargetWeight(b)).containsExactly(target);
            assertThat(b.qScaleValue()).isEqualTo(scale);
            assertThat(b.updates()).isEqualTo(5);
            assertThat(b.optimizerSteps()).containsExactly(5L, 5L, 5L);
        }
    }

    private static float[] firstTargetWeight(TdMpc2Agent a) {
        return a.worldModel().targetEnsemble().getParameters().valueAt(0).getArray().toFloatArray();
    }

    @Test
    void actsAndTrainsFromPixels(@TempDir Path dir) {
        EnvSpec spec = TestSpecs.of("pixels", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 3)),
                TestSpecs.asymmetricBox(), 2);
        try (TdMpc2Agent a = agent(spec, "debug", Map.of("batch_size", "4"), dir, 4, null)) {
            Tensor act = a.act(StepBatches.random(spec, new boolean[] {true, true}, new SplittableRandom(4)),
                    ActMode.EXPLORE);
            assertThat(spec.actionSpace().validateBatch(act, 2)).isEmpty();
            assertThat(a.train(2).values()).allSatisfy(v -> assertThat(v).isFinite());
        }
    }

    /** The authors' pixel input, 3 stacked RGB frames (dmc's {@code frame_stack=3}): the first convolution takes 9 channels. */
    @Test
    void actsAndTrainsFromAStackOfThreeFrames(@TempDir Path dir) {
        EnvSpec spec = TestSpecs.of("pixels", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 9)),
                TestSpecs.asymmetricBox(), 2);
        try (TdMpc2Agent a = agent(spec, "debug", Map.of("batch_size", "4"), dir, 4, null)) {
            Shape conv0 = ((ImageEncoder) a.worldModel().encoderBlock()).layers()[0].getParameters().stream()
                    .filter(p -> p.getKey().endsWith("weight")).findFirst().orElseThrow().getValue().getArray().getShape();
            assertThat(conv0.get(1)).isEqualTo(9);
            Tensor act = a.act(StepBatches.random(spec, new boolean[] {true, true}, new SplittableRandom(4)),
                    ActMode.EXPLORE);
            assertThat(spec.actionSpace().validateBatch(act, 2)).isEmpty();
            assertThat(a.train(2).values()).allSatisfy(v -> assertThat(v).isFinite());
        }
    }

    /** A test planner: the prior's action, a mean of the previous one shifted or zeros; records what it saw. */
    private static final class RecordingPlanner implements Planner {
        final List<Boolean> previousGiven = new ArrayList<>();
        final List<boolean[]> fresh = new ArrayList<>();
        final List<float[]> previousMeans = new ArrayList<>();
        final List<float[]> returnedMeans = new ArrayList<>();
        final List<Boolean> modelChecks = new ArrayList<>();

        @Override
        public Plan plan(NDArray latents, LatentModel model, ActionPrior prior, Plan previous, boolean[] fresh,
                boolean explore) {
            long n = latents.getShape().get(0);
            previousGiven.add(previous != null);
            this.fresh.add(fresh == null ? null : fresh.clone());
            previousMeans.add(previous == null ? null : previous.mean().toFloatArray());
            NDArray action = prior.sample(latents);
            NDArray next = model.next(latents, action);
            float[] groupSums = next.reshape(n, -1, 8).sum(new int[] {2}).toFloatArray();
            boolean ok = next.getShape().equals(latents.getShape())
                    && model.reward(latents, action).getShape().equals(new Shape(n))
                    && model.terminalValue(next).getShape().equals(new Shape(n))
                    && model.discount() > 0 && model.discount() <= 1;
            for (float s : groupSums) {
                ok &= Math.abs(s - 1) < 1e-4;
            }
            modelChecks.add(ok);
            NDArray mean = latents.getManager().randomUniform(-1, 1, new Shape(3, n, action.getShape().get(1)));
            returnedMeans.add(mean.toFloatArray());
            return new Plan(action, mean, mean.onesLike());
        }
    }
}
