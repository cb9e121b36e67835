package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ServiceUnavailableException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.nn.ImageEncoder;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.random.RandomGenerator;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.RecordingMetricsSink;
import io.worldgate.testkit.encoders.PoolingImageEncoder;

/** The agent's contract on the real engine: acting, training, checkpoints, options, diagnostics. */
class DreamerAgentTest {

    private static final List<String> LOSS_METRICS = List.of("loss/reward", "loss/cont", "loss/kl_dyn", "loss/kl_rep",
            "loss/model", "actor/entropy", "actor/loss", "critic/loss", "critic/value_mean", "return_norm/scale");

    private static void assertValid(EnvSpec spec, Tensor actions, int n) {
        assertThat(spec.actionSpace().validateBatch(actions, n)).as("actions %s", actions).isEmpty();
    }

    private static boolean[] flags(boolean... b) {
        return b;
    }

    @Test
    void actsValidlyAndTrainsInDiscreteAndBoxSpacesFromStateAndPixels(@TempDir Path dir) {
        record Case(boolean discrete, boolean image, boolean state) {}
        List<Case> cases = List.of(new Case(true, false, true), new Case(false, false, true), new Case(true, true, false),
                new Case(false, true, true));
        for (Case c : cases) {
            EnvSpec spec = Fixtures.spec(c.discrete(), c.image(), c.state(), 3);
            FakeExperience exp = Fixtures.experience(spec, 300, 1);
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 1, Map.of("batch_size", "4", "batch_length", "16"))) {
                assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0, 0.5, -1}, flags(true, true, true)),
                        ActMode.EXPLORE), 3);
                assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.1, 0.6, -1.1}, flags(false, true, false)),
                        ActMode.EXPLORE), 3);
                // evaluation on another number of environments keeps its own state
                assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.3, 1.2}, flags(true, true)), ActMode.EVAL),
                        2);
                assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.2, 0.7, -0.9}, flags(false, false, false)),
                        ActMode.EXPLORE), 3);
                Map<String, Double> m = agent.train(2);
                assertThat(m).containsKeys(LOSS_METRICS.toArray(String[]::new));
                assertThat(m).containsKey(c.image() ? "loss/image" : "loss/state");
                if (c.image() && c.state()) {
                    assertThat(m).containsKeys("loss/image", "loss/state");
                }
                assertThat(m.values()).allSatisfy(v -> assertThat(v).isFinite());
                assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.4, 0.8, -0.7}, flags(false, true, false)),
                        ActMode.EXPLORE), 3);
            }
        }
    }

    @Test
    void evaluationIsDeterministicAndExplorationSamples(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 4);
        FakeExperience exp = Fixtures.experience(spec, 300, 1);
        try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 2, Map.of("batch_size", "4", "batch_length", "16"))) {
            agent.train(3);
            StepBatch start = Fixtures.batch(spec, new double[] {0, 0.5, -1, 1}, flags(true, true, true, true));
            float[] eval1 = agent.act(start, ActMode.EVAL).toFloatArray();
            float[] eval2 = agent.act(start, ActMode.EVAL).toFloatArray();
            assertThat(eval2).containsExactly(eval1);
            float[] explore1 = agent.act(start, ActMode.EXPLORE).toFloatArray();
            float[] explore2 = agent.act(start, ActMode.EXPLORE).toFloatArray();
            assertThat(explore2).isNotEqualTo(explore1);
        }
    }

    @Test
    void theActorsOutputScaleSetsHowFarTheUntrainedPolicyIsFromNeutral(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 4);
        FakeExperience exp = Fixtures.experience(spec, 300, 1);
        StepBatch start = Fixtures.batch(spec, new double[] {-1.5, -0.5, 0.5, 1.5}, flags(true, true, true, true));
        try (DreamerAgent scaled = Fixtures.agent(spec, exp, dir, 2, Map.of());
                DreamerAgent unscaled = Fixtures.agent(spec, exp, dir, 2, Map.of("actor_outscale", "1"))) {
            // the evaluation action is tanh of the mean output, times the bound 2: output weights scaled
            // by 0.01 keep it near 0 for every observation, unscaled ones do not
            float[] near = scaled.act(start, ActMode.EVAL).toFloatArray();
            float[] far = unscaled.act(start, ActMode.EVAL).toFloatArray();
            for (float a : near) {
                assertThat(Math.abs(a)).as("actor_outscale 0.01: %s", Arrays.toString(near)).isLessThan(0.1f);
            }
            float largest = 0;
            for (float a : far) {
                largest = Math.max(largest, Math.abs(a));
            }
            assertThat(largest).as("actor_outscale 1: %s", Arrays.toString(far)).isGreaterThan(0.3f);
        }
    }

    /**
     * The return normaliser's percentiles are taken over imagination starts from real steps only:
     * a batch that is all padding (mask 0 everywhere) must leave them as they were, while the same
     * batch unmasked moves them.
     */
    @Test
    void returnPercentilesIgnoreStartsFromPadding(@TempDir Path dir) throws Exception {
        EnvSpec spec = Fixtures.spec(false, false, true, 2);
        FakeExperience real = Fixtures.experience(spec, 300, 3);
        Experience padding = new Experience() {
            @Override
            public long numSteps() {
                return real.numSteps();
            }

            @Override
            public int numEpisodes() {
                return real.numEpisodes();
            }

            @Override
            public SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
                SequenceBatch b = real.sampleSequences(batchSize, length, rng);
                return new SequenceBatch(b.observations(), b.actions(), b.rewards(), b.isFirst(), b.isTerminal(),
                        Tensor.allocate(DType.FLOAT32, batchSize, length));
            }

            @Override
            public List<Episode> recentEpisodes(int max) {
                return real.recentEpisodes(max);
            }
        };
        Map<String, String> small = Map.of("batch_size", "4", "batch_length", "16");
        for (boolean masked : new boolean[] {false, true}) {
            Path checkpoint = Files.createDirectories(dir.resolve("masked-" + masked));
            try (DreamerAgent agent = (DreamerAgent) new DreamerAgentFactory().create(spec, Fixtures.config("debug", small),
                    new FakeAgentContext(masked ? padding : real, dir, 5))) {
                agent.train(1);
                agent.save(checkpoint);
            }
            Properties state = new Properties();
            try (Reader r = Files.newBufferedReader(checkpoint.resolve(DreamerAgent.STATE_FILE))) {
                state.load(r);
            }
            assertThat(state.getProperty("returnNorm.updates")).as("masked %s", masked).isEqualTo(masked ? "0" : "1");
            if (masked) {
                assertThat(Double.parseDouble(state.getProperty("returnNorm.low"))).isZero();
                assertThat(Double.parseDouble(state.getProperty("returnNorm.high"))).isZero();
            }
        }
    }

    @Test
    void saveAndLoadGiveIdenticalEvaluationActionsAndTrainingGoesOn(@TempDir Path dir) throws Exception {
        EnvSpec spec = Fixtures.spec(true, false, true, 3);
        FakeExperience exp = Fixtures.experience(spec, 400, 4);
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        List<int[]> before = new ArrayList<>();
        double[][] positions = {{0, 0.5, -1}, {0.1, 0.6, -1.1}, {0.25, 0.4, -0.9}, {0.3, 0.2, -0.6}};
        try (DreamerAgent a = Fixtures.agent(spec, exp, dir, 7, Map.of("batch_size", "4", "batch_length", "16"))) {
            a.train(5);
            a.save(checkpoint);
            for (int t = 0; t < positions.length; t++) {
                before.add(a.act(Fixtures.batch(spec, positions[t], t == 0 ? flags(true, true, true) : flags(false, false, false)),
                        ActMode.EVAL).toIntArray());
            }
        }
        assertThat(checkpoint.resolve(DreamerAgent.STATE_FILE)).exists();
        assertThat(checkpoint.resolve(DreamerAgent.OPTIMIZER_FILE)).exists();
        // a differently seeded agent takes over the checkpoint and acts exactly like the first
        try (DreamerAgent b = Fixtures.agent(spec, exp, dir, 8, Map.of("batch_size", "4", "batch_length", "16"))) {
            b.load(checkpoint);
            assertThat(b.updates()).isEqualTo(5);
            for (int t = 0; t < positions.length; t++) {
                int[] actions = b.act(Fixtures.batch(spec, positions[t],
                        t == 0 ? flags(true, true, true) : flags(false, false, false)), ActMode.EVAL).toIntArray();
                assertThat(actions).as("step %d", t).containsExactly(before.get(t));
            }
            Map<String, Double> m = b.train(2);
            assertThat(b.updates()).isEqualTo(7);
            assertThat(m.values()).allSatisfy(v -> assertThat(v).isFinite());
        }
    }

    @Test
    void aCheckpointOfOtherSizesIsIncompatibleAndChangesNothing(@TempDir Path dir) throws Exception {
        EnvSpec spec = Fixtures.spec(true, false, true, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 4);
        Path small = Files.createDirectories(dir.resolve("small"));
        try (DreamerAgent a = Fixtures.agent(spec, exp, dir, 1, Map.of("deter", "32", "batch_size", "4", "batch_length", "8"))) {
            a.save(small);
        }
        Path empty = Files.createDirectories(dir.resolve("random-agent"));
        Files.writeString(empty.resolve("random-agent.txt"), "random-agent v1\n");
        StepBatch obs = Fixtures.batch(spec, new double[] {0.2, -0.4}, flags(true, true));
        try (DreamerAgent b = Fixtures.agent(spec, exp, dir, 2, Map.of("batch_size", "4", "batch_length", "8"))) {
            int[] before = b.act(obs, ActMode.EVAL).toIntArray();
            List<Float> params = Fingerprint.of(b);
            assertThatThrownBy(() -> b.load(small)).isInstanceOf(IncompatibleCheckpointException.class)
                    .hasMessageContaining("deter=32").hasMessageContaining("deter=64");
            assertThatThrownBy(() -> b.load(empty)).isInstanceOf(IncompatibleCheckpointException.class)
                    .hasMessageContaining("no Dreamer checkpoint");
            assertThat(Fingerprint.of(b)).isEqualTo(params);
            assertThat(b.act(obs, ActMode.EVAL).toIntArray()).containsExactly(before);
            assertThat(b.train(1)).isNotEmpty();
        }
    }

    @Test
    void harmonyDreamKlBalanceAndTheFirstReleasesChoicesTrainWithoutNaN(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 2);
        FakeExperience exp = Fixtures.experience(spec, 600, 5);
        for (Map<String, String> option : List.of(Map.of("loss_balance", "harmony"), Map.of("kl_balance", "0.8"),
                Map.of("loss_balance", "harmony", "kl_balance", "0.8", "rep_scale", "0"),
                Map.of("imagined_continue", "mode", "actor_outscale", "1"))) {
            Map<String, String> set = new java.util.HashMap<>(option);
            set.put("batch_size", "8");
            set.put("batch_length", "16");
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 3, set)) {
                Map<String, Double> m = Map.of();
                for (int i = 0; i < 4; i++) {
                    m = agent.train(5);
                    Map<String, Double> seen = m;
                    m.forEach((name, v) -> assertThat(v)
                            .as("%s for %s after %d updates: %s", name, option, agent.updates(), seen).isFinite());
                }
                StepBatch probe = Fixtures.batch(spec, new double[] {-1, 1}, flags(true, true));
                for (float a : agent.act(probe, ActMode.EVAL).toFloatArray()) {
                    assertThat(a).as("%s: an action after training", option).isFinite();
                }
                if (option.containsKey("loss_balance")) {
                    // state observations and continue flags stay at weight 1, as in HarmonyDream's code
                    assertThat(m).containsKeys("harmony/sigma_reward", "harmony/sigma_kl")
                            .doesNotContainKeys("harmony/sigma_state", "harmony/sigma_cont");
                    // the learnable scales moved away from their start, sigma = 1
                    assertThat(m.get("harmony/sigma_reward")).isNotEqualTo(1.0);
                }
            }
        }
    }

    @Test
    void worksOnAThreadThatRecordsGradients(@TempDir Path dir) throws Exception {
        // libtorch records autograd on new threads (the host's run threads) unless switched off
        EnvSpec spec = Fixtures.spec(true, false, true, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 1, Map.of("batch_size", "4", "batch_length", "8"))) {
                agent.act(Fixtures.batch(spec, new double[] {0, 1}, flags(true, true)), ActMode.EXPLORE);
                agent.train(2);
                Path cp = Files.createDirectories(dir.resolve("cp"));
                agent.save(cp);
                agent.load(cp);
                agent.act(Fixtures.batch(spec, new double[] {0, 1}, flags(false, false)), ActMode.EXPLORE);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(failure.get()).as("failure on a recording thread").isNull();
    }

    @Test
    void actingAndTrainingLeakNoArraysAndCloseReleasesThem(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        DreamerAgent agent = Fixtures.agent(spec, exp, dir, 1, Map.of("batch_size", "4", "batch_length", "8"));
        StepBatch obs = Fixtures.batch(spec, new double[] {0, 1}, flags(false, false));
        agent.act(obs, ActMode.EXPLORE);
        agent.act(obs, ActMode.EVAL);
        agent.train(1);
        int live = agent.liveArrays();
        for (int i = 0; i < 5; i++) {
            agent.act(obs, ActMode.EXPLORE);
            agent.act(obs, ActMode.EVAL);
            agent.train(2);
        }
        assertThat(agent.liveArrays()).isEqualTo(live);
        agent.close();
        assertThatThrownBy(() -> agent.act(obs, ActMode.EVAL)).isInstanceOf(IllegalStateException.class);
        agent.close(); // idempotent
    }

    @Test
    void sendsAnOpenLoopVideoPredictionForImagesToTheSink(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(true, true, false, 1);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        FakeAgentContext context = new FakeAgentContext(exp, dir, 3);
        AgentConfig config = Fixtures.config("debug", Map.of("batch_size", "4", "batch_length", "12", "video_every", "2"));
        try (DreamerAgent agent = (DreamerAgent) new DreamerAgentFactory().create(spec, config, context)) {
            agent.train(2);
        }
        assertThat(context.metrics().latest("dreamer/video_failed")).isEmpty();
        assertThat(context.metrics().files()).isEmpty();
        assertThat(context.metrics().videos()).hasSize(1);
        RecordingMetricsSink.Video video = context.metrics().videos().get(0);
        assertThat(video.tag()).isEqualTo("dreamer/openloop");
        assertThat(video.fps()).isPositive();
        // 12 frames; each: real, model and error of 64 x 64 stacked, for 4 sequences side by side
        assertThat(video.frames().dtype()).isEqualTo(DType.UINT8);
        assertThat(video.frames().shape()).containsExactly(12, 3 * 64, 4 * 64, 3);
        // the error tiles are grey where the model is right, so they are not all black or all white
        Tensor error = video.frames().batchEntry(11);
        double sum = 0;
        int n = 0;
        for (int y = 2 * 64; y < 3 * 64; y++) {
            for (int x = 0; x < 4 * 64; x++) {
                sum += error.getDouble(((long) y * 4 * 64 + x) * 3);
                n++;
            }
        }
        assertThat(sum / n).isBetween(20.0, 235.0);
    }

    @Test
    void anImageEncoderServiceReplacesTheCnn(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(true, true, false, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        FakeAgentContext context = new FakeAgentContext(exp, dir, 3);
        AgentConfig config = Fixtures.config("debug", Map.of("encoder", "pool", "batch_size", "4", "batch_length", "8"));
        DreamerAgentFactory factory = new DreamerAgentFactory();
        // absent, it is a typed wait for the service, which the host turns into a pause, not a failure
        assertThatThrownBy(() -> factory.create(spec, config, context)).isInstanceOfSatisfying(ServiceUnavailableException.class,
                e -> {
                    assertThat(e.serviceType()).isEqualTo(ImageEncoder.class.getName());
                    assertThat(e.serviceName()).isEqualTo("pool");
                });
        context.withService("pool", new PoolingImageEncoder());
        try (DreamerAgent agent = (DreamerAgent) factory.create(spec, config, context)) {
            assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0, 1}, flags(true, true)), ActMode.EXPLORE), 2);
            Map<String, Double> m = agent.train(2);
            assertThat(m.get("loss/image")).isFinite();
        }
    }

    @Test
    void everyPresetResolves() {
        for (String preset : List.of("dmc_vision", "dmc_proprio", "atari100k", "debug")) {
            DreamerConfig c = DreamerConfig.from(Fixtures.config(preset, Map.of()));
            assertThat(c.discount()).isEqualTo(0.997f);
            assertThat(c.imagHorizon()).isEqualTo(15);
            if (!preset.equals("debug")) {
                assertThat(c.deter()).isEqualTo(512);
                assertThat(c.units()).isEqualTo(512);
                assertThat(c.cnnDepth()).isEqualTo(32);
                assertThat(c.batchSize()).isEqualTo(16);
                assertThat(c.batchLength()).isEqualTo(64);
                assertThat(c.modelLr()).isEqualTo(1e-4f);
                assertThat(c.actorLr()).isEqualTo(3e-5f);
            }
        }
        assertThat(DreamerConfig.from(Fixtures.config("dmc_vision", Map.of())).obsKeys()).containsExactly("image");
        assertThat(DreamerConfig.from(Fixtures.config("dmc_proprio", Map.of())).obsKeys()).containsExactly("state");
        assertThat(DreamerConfig.from(Fixtures.config("atari100k", Map.of())).actorEvalSample()).isTrue();
    }
}
