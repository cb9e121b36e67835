package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.FakePopulationEvaluator;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The procedure end to end on the testkit's evaluator, its options, and a resume mid-evolution. */
class WorldModelsAgentTest {
    static final EnvSpec DISCRETE = TestSpecs.everyKind(2).stream().filter(s -> s.id().contains("discrete-image"))
            .findFirst().orElseThrow();
    static final EnvSpec BOX = TestSpecs.everyKind(2).stream().filter(s -> s.id().contains("box-image"))
            .findFirst().orElseThrow();

    /** Doom TakeCover's actions (stay, left, right) on 64x64 frames. */
    static final EnvSpec THREE = TestSpecs.of("three-image", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 3)),
            new DiscreteSpace(3), 2);
    static final Map<String, String> DOOM_C = Map.of("controller_input", "zch", "action_map", "doom");

    record Setup(WorldModelsAgent agent, FakeAgentContext context, FakeExperience experience,
            FakePopulationEvaluator evaluator) {}

    static Setup create(EnvSpec spec, Path dir, long seed, Map<String, String> overrides) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((k, v) -> specs.put(k, v.tensorSpec()));
        FakeExperience experience = new FakeExperience(specs, spec.actionSpace().tensorSpec());
        FakePopulationEvaluator evaluator = new FakePopulationEvaluator(spec,
                FakePopulationEvaluator.Reward.towardsTheLowestAction(spec), experience, seed);
        FakeAgentContext context = new FakeAgentContext(experience, dir, seed).withPopulationEvaluator(evaluator);
        AgentConfig config = AgentConfig.resolve(new WorldModelsAgentFactory().descriptor(), "debug", overrides);
        WorldModelsAgent agent = (WorldModelsAgent) new WorldModelsAgentFactory().create(spec, config, context);
        return new Setup(agent, context, experience, evaluator);
    }

    @Test
    void everyPresetResolvesAndTheFastOneScoresEachCandidateOnceOnTheMeanOfV() {
        AgentDescriptor descriptor = new WorldModelsAgentFactory().descriptor();
        assertThat(descriptor.presets()).containsOnlyKeys("carracing", "doom", "carracing_cpu", "carracing_fast", "doom_cpu",
                "debug");
        for (String preset : descriptor.presets().keySet()) {
            assertThat(descriptor.presets().get(preset)).as(preset).allSatisfy((key, value) ->
                    assertThat(descriptor.configKey(key)).as(preset + ": " + key).isPresent());
            WorldModelsConfig.from(AgentConfig.resolve(descriptor, preset, Map.of()));
        }
        WorldModelsConfig fast = WorldModelsConfig.from(AgentConfig.resolve(descriptor, "carracing_fast", Map.of()));
        assertThat(fast.rollouts()).isEqualTo(1);
        assertThat(fast.sampleZ()).isFalse();
        assertThat(fast.carControls()).isTrue();
        assertThat(fast.inDream()).isFalse();
    }

    @Test
    void theDoomPresetsGiveCThePaperCodesInputAndThresholdedOutput(@TempDir Path dir) {
        AgentDescriptor descriptor = new WorldModelsAgentFactory().descriptor();
        for (String preset : List.of("doom", "doom_cpu")) {
            AgentConfig c = AgentConfig.resolve(descriptor, preset, Map.of());
            assertThat(c.getString("controller_input")).as(preset).isEqualTo("zch");
            assertThat(c.getString("action_map")).as(preset).isEqualTo("doom");
        }
        for (String preset : List.of("carracing", "carracing_cpu", "carracing_fast", "debug")) {
            assertThat(AgentConfig.resolve(descriptor, preset, Map.of()).getString("controller_input")).as(preset)
                    .isEqualTo("zh");
        }
        Setup s = create(THREE, dir, 4, DOOM_C);
        try (WorldModelsAgent agent = s.agent()) {
            // [z, c, h] = 4 + 8 + 8 weights into one output without bias
            assertThat(agent.controller().dimension()).isEqualTo(4 + 8 + 8);
            assertThat(agent.controller().readsCell()).isTrue();
            assertThat(agent.controller().thresholds()).isTrue();
            Map<String, Double> gen = agent.train(1 + 2);
            assertThat(agent.generations()).isEqualTo(2);
            assertThat(gen).containsKeys("es/real_mean_return", "es/best_return");
        }
        assertThatThrownBy(() -> create(DISCRETE, dir, 1, DOOM_C)).isInstanceOf(AgentException.class)
                .hasMessageContaining("action_map=doom");
    }

    @Test
    void aCheckpointResumesWithTheControllerItWasEvolvingWhatTheConfigSaysAndOneFromBeforeTheChoicesToo(
            @TempDir Path dir) throws Exception {
        Path zh = Files.createDirectories(dir.resolve("zh"));
        double[] mean;
        try (WorldModelsAgent old = create(THREE, dir, 6, Map.of()).agent()) {
            old.train(1 + 2);
            old.save(zh);
            mean = old.search().mean();
        }
        Map<String, String> doomC = new HashMap<>(DOOM_C);
        Path again = Files.createDirectories(dir.resolve("again"));
        try (WorldModelsAgent resumed = create(THREE, dir, 6, doomC).agent()) {
            resumed.load(zh);
            assertThat(resumed.controller().dimension()).isEqualTo((4 + 8) * 3 + 3);
            assertThat(resumed.controller().readsCell()).isFalse();
            assertThat(resumed.search().mean()).containsExactly(mean);
            resumed.train(1);
            resumed.save(again);
        }
        try (WorldModelsAgent twice = create(THREE, dir, 6, doomC).agent()) {
            twice.load(again);
            assertThat(twice.controller().dimension()).isEqualTo((4 + 8) * 3 + 3);
            assertThat(twice.generations()).isEqualTo(3);
        }
        // as written before controller_input and action_map=doom existed: no entries, [z, h] and an output per action
        Path state = zh.resolve(WorldModelsAgent.STATE_FILE);
        List<String> lines = Files.readAllLines(state);
        assertThat(lines.removeIf(l -> l.startsWith("controller"))).isTrue();
        Files.write(state, lines);
        try (WorldModelsAgent legacy = create(THREE, dir, 6, doomC).agent()) {
            legacy.load(zh);
            assertThat(legacy.controller().readsCell()).isFalse();
            assertThat(legacy.controller().thresholds()).isFalse();
            assertThat(legacy.search().mean()).containsExactly(mean);
        }
        // and the other way: the Doom C's checkpoint into an agent configured with the default C
        try (WorldModelsAgent doom = create(THREE, dir, 6, doomC).agent()) {
            doom.train(1 + 1);
            doom.save(again);
        }
        try (WorldModelsAgent plain = create(THREE, dir, 6, Map.of()).agent()) {
            plain.load(again);
            assertThat(plain.controller().dimension()).isEqualTo(4 + 8 + 8);
            assertThat(plain.controller().thresholds()).isTrue();
            plain.train(1);
        }
    }

    @Test
    void theDoomPresetsEndDreamsAsThePaperCodeDoesAndTheOthersKeepTheDrawnEnd() {
        AgentDescriptor descriptor = new WorldModelsAgentFactory().descriptor();
        for (String preset : List.of("doom", "doom_cpu")) {
            AgentConfig c = AgentConfig.resolve(descriptor, preset, Map.of());
            assertThat(c.getString("dream_end")).as(preset).isEqualTo("threshold");
            assertThat(c.getDouble("done_weight")).as(preset).isEqualTo(10.0);
        }
        AgentConfig debug = AgentConfig.resolve(descriptor, "debug", Map.of());
        assertThat(debug.getString("dream_end")).isEqualTo("sample");
        assertThat(debug.getDouble("done_weight")).isEqualTo(1.0);
        AgentConfig drawn = AgentConfig.resolve(descriptor, "doom_cpu", Map.of("dream_end", "sample", "done_weight", "1"));
        assertThat(WorldModelsConfig.from(drawn).dreamEnd()).isEqualTo(Dream.End.SAMPLE);
    }

    @Test
    void collectsThroughTheHostThenTrainsVAndMThenEvolvesCInTheDream(@TempDir Path dir) {
        Setup s = create(DISCRETE, dir, 1, Map.of());
        try (WorldModelsAgent agent = s.agent()) {
            assertThat(agent.phase()).isEqualTo(WorldModelsAgent.Phase.COLLECT);
            Map<String, Double> first = agent.train(1);
            // 3 random episodes of at most 40 steps, played by the host's evaluator into the run's experience
            assertThat(s.experience().numEpisodes()).isGreaterThanOrEqualTo(3);
            assertThat(s.experience().numSteps()).isGreaterThanOrEqualTo(3 * 40L);
            assertThat(s.evaluator().steps()).isGreaterThanOrEqualTo(3 * 40L);
            assertThat(first).containsKeys("vae/loss", "rnn/z_nll", "rnn/done_bce", "collect/return");
            assertThat(first.get("vae/updates")).isPositive();
            assertThat(first.get("rnn/updates")).isPositive();
            assertThat(agent.phase()).isEqualTo(WorldModelsAgent.Phase.EVOLVE);
            assertThat(agent.starts().count()).isEqualTo(s.experience().numEpisodes());

            long steps = s.evaluator().steps();
            Map<String, Double> gen = agent.train(1);
            assertThat(agent.generations()).isEqualTo(1);
            assertThat(agent.search().generation()).isEqualTo(1);
            // the population scores itself in the dream; only the mean's one real episode (40 steps in the
            // toy task, while the other env steps on unscored) takes env steps: not 4 candidates x 2 rollouts
            assertThat(gen.get("es/best_return")).isBetween(1.0, 20.0);
            assertThat(s.evaluator().steps() - steps).isEqualTo(gen.get("es/steps").longValue()).isBetween(40L, 80L);
            assertThat(gen).containsKey("es/real_mean_return");
            assertThat(gen.get("es/generation")).isEqualTo(1.0);
        }
    }

    @Test
    void mTrainsOnCarriedStreamsOnePassAWindowAnUpdateAndEitherModesCheckpointLoadsInTheOther(@TempDir Path dir)
            throws Exception {
        AgentDescriptor descriptor = new WorldModelsAgentFactory().descriptor();
        for (String preset : descriptor.presets().keySet()) {
            boolean carry = WorldModelsConfig.from(AgentConfig.resolve(descriptor, preset, Map.of())).carryRnnState();
            assertThat(carry).as(preset).isEqualTo(preset.startsWith("doom"));
        }
        Path carried = Files.createDirectories(dir.resolve("carried"));
        Path reset = Files.createDirectories(dir.resolve("reset"));
        Setup s = create(THREE, dir, 8, Map.of("rnn_state", "carry"));
        try (WorldModelsAgent agent = s.agent()) {
            Map<String, Double> first = agent.train(1);
            long[] transitions = {0};
            long[] longest = {0};
            s.experience().forEachEpisode(e -> {
                transitions[0] += e.length() - 1;
                longest[0] = Math.max(longest[0], e.length() - 1);
            });
            // debug: rnn_epochs=1, rnn_batch=4, rnn_seq_len=8: one pass, every transition once, rows balanced
            // to within an episode
            assertThat(first.get("rnn/updates")).isBetween(Math.ceil(transitions[0] / 32.0),
                    Math.ceil((transitions[0] / 4.0 + longest[0]) / 8));
            assertThat(first.get("rnn/loss")).isFinite();
            agent.train(1);
            agent.save(carried);
        }
        // the parameters are the same either way: M trained with its state carried goes on resetting, and back
        try (WorldModelsAgent other = create(THREE, dir, 8, Map.of()).agent()) {
            other.load(carried);
            assertThat(other.generations()).isEqualTo(1);
            other.save(reset);
        }
        try (WorldModelsAgent back = create(THREE, dir, 8, Map.of("rnn_state", "carry", "iterations", "2",
                "generations_per_iteration", "1")).agent()) {
            back.load(reset);
            back.train(1); // the round's second generation; the next call begins round 2: collect, V, M
            Map<String, Double> again = back.train(1);
            assertThat(again.get("rnn/updates")).isPositive();
            assertThat(again.get("rnn/loss")).isFinite();
        }
    }

    @Test
    void evolvesCInTheRealEnvironmentWithEveryCandidatesRollouts(@TempDir Path dir) {
        Setup s = create(BOX, dir, 2, Map.of("train_in", "real", "predict_done", "false", "controller_hidden", "3"));
        try (WorldModelsAgent agent = s.agent()) {
            agent.train(1);
            int before = s.evaluator().evaluations();
            Map<String, Double> gen = agent.train(1);
            assertThat(s.evaluator().evaluations()).isEqualTo(before + 1);
            // 4 candidates x 2 rollouts of 40 steps (the toy task's episodes), on the run's 2 envs
            assertThat(gen.get("es/steps")).isGreaterThanOrEqualTo(4 * 2 * 40.0);
            int actions = (int) BOX.actionSpace().tensorSpec().numElements();
            assertThat(agent.controller().dimension()).isEqualTo((4 + 8) * 3 + 3 + 3 * actions + actions);
        }
    }

    @Test
    void theIterativeProcedureCollectsAgainWithTheEvolvedController(@TempDir Path dir) {
        Setup s = create(DISCRETE, dir, 3, Map.of("iterations", "2", "generations_per_iteration", "2"));
        try (WorldModelsAgent agent = s.agent()) {
            agent.train(3);
            assertThat(agent.phase()).isEqualTo(WorldModelsAgent.Phase.COLLECT);
            long episodes = s.experience().numEpisodes();
            Map<String, Double> second = agent.train(1);
            assertThat(second.get("procedure/iteration")).isEqualTo(1.0);
            assertThat((long) s.experience().numEpisodes()).isGreaterThanOrEqualTo(episodes + 3);
            agent.train(5);
            // the last round never ends: no third collection
            assertThat(agent.phase()).isEqualTo(WorldModelsAgent.Phase.EVOLVE);
            assertThat(agent.generations()).isEqualTo(7);
        }
    }

    @Test
    void aRunResumedMidEvolutionContinuesTheSameSearch(@TempDir Path dir) throws Exception {
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        double[] straightMean;
        try (WorldModelsAgent straight = create(DISCRETE, dir, 5, Map.of()).agent()) {
            straight.train(1 + 5);
            assertThat(straight.generations()).isEqualTo(5);
            straightMean = straight.search().mean();
        }
        try (WorldModelsAgent first = create(DISCRETE, dir, 5, Map.of()).agent()) {
            first.train(1 + 2);
            first.save(checkpoint);
        }
        // a new agent (as after a swap or a restart) with a fresh evaluator and experience
        try (WorldModelsAgent resumed = create(DISCRETE, dir, 5, Map.of()).agent()) {
            resumed.load(checkpoint);
            assertThat(resumed.phase()).isEqualTo(WorldModelsAgent.Phase.EVOLVE);
            assertThat(resumed.generations()).isEqualTo(2);
            resumed.train(3);
            assertThat(resumed.generations()).isEqualTo(5);
            assertThat(resumed.search().generation()).isEqualTo(5);
            assertThat(resumed.search().mean()).containsExactly(straightMean);
        }
    }

    @Test
    void refusesADreamWithoutEndPredictionAndCheckpointsOfOtherSizes(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> create(DISCRETE, dir, 1, Map.of("predict_done", "false")))
                .isInstanceOf(AgentException.class).hasMessageContaining("predict_done");
        // the testkit's box is [-1, 1] in every dimension, not CarRacing's gas and brake in [0, 1]
        assertThatThrownBy(() -> create(BOX, dir, 1, Map.of("action_map", "carracing")))
                .isInstanceOf(AgentException.class).hasMessageContaining("action_map");
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        try (WorldModelsAgent a = create(DISCRETE, dir, 1, Map.of()).agent()) {
            a.save(checkpoint);
        }
        Map<String, String> bigger = new HashMap<>();
        bigger.put("rnn_size", "16");
        try (WorldModelsAgent b = create(DISCRETE, dir, 1, bigger).agent()) {
            assertThatThrownBy(() -> b.load(checkpoint))
                    .isInstanceOf(io.worldgate.api.agent.IncompatibleCheckpointException.class)
                    .hasMessageContaining("rnn_size=8");
        }
    }
}
