package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.optim.GradientScope;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The world-model total from given term values {@code image 3, state 0.7, reward 1.5, cont 0.2,
 * kl_dyn 2, kl_rep 4}, worked out by hand. HarmonyDream (its official code) balances the image, the
 * reward and one KL term, {@code (β_dyn dyn + β_rep rep) / (β_dyn + β_rep)} with its regulariser
 * weighted by {@code β_dyn / (β_dyn + β_rep)}; the state and continue losses stay at weight 1.
 */
class LossBalanceTest {
    private static final Map<String, Float> TERMS = new LinkedHashMap<>();

    static {
        TERMS.put("image", 3f);
        TERMS.put("state", 0.7f);
        TERMS.put("reward", 1.5f);
        TERMS.put("cont", 0.2f);
        TERMS.put("kl_dyn", 2f);
        TERMS.put("kl_rep", 4f);
    }

    /**
     * σ_image = 2, σ_reward = 0.5, σ_kl = 1; β_dyn 0.5, β_rep 0.1, so w_dyn = 5/6 and w_rep = 1/6:
     *
     * <pre>
     *   image   3 / 2 + ln 3                          = 1.5 + 1.0986123      = 2.5986123
     *   reward  1.5 / 0.5 + ln 1.5                    = 3 + 0.4054651        = 3.4054651
     *   kl      (5/6 · 2 + 1/6 · 4) / 1 + 5/6 ln 2    = 2.3333333 + 0.5776227 = 2.9109560
     *   state + cont                                  = 0.9
     *   total                                                                = 9.8150334
     *   ∂/∂s_i = -L_i / σ_i + w σ_i / (1 + σ_i):  image -1.5 + 2/3 = -0.8333333, reward -3 + 1/3 = -2.6666667,
     *                                             kl -2.3333333 + 5/6 · 1/2 = -1.9166667
     *   ∂/∂L: state 1, cont 1, kl_dyn 5/6, kl_rep 1/6, image 1/2, reward 2
     * </pre>
     *
     * (All five terms balanced and the KL undivided, 0.5 · 2 + 0.1 · 4 = 1.4, with σ = 1 for state,
     * cont: 2.5986123 + 3.4054651 + (1.4 + ln 2) + (0.7 + ln 2) + (0.2 + ln 2) = 10.3835190.)
     */
    @Test
    void harmonyBalancesImageRewardAndOneNormalisedKlTermAndLeavesStateAndContinueAtWeightOne(@TempDir Path dir) {
        try (DreamerAgent agent = agent(dir, Map.of("loss_balance", "harmony")); NDManager m = NDManager.newBaseManager()) {
            WorldModel wm = agent.worldModel();
            setSigmas(wm, Map.of("image", 2.0, "reward", 0.5, "kl", 1.0));
            Map<String, NDArray> terms = terms(m);
            NDArray total;
            try (GradientScope tape = GradientScope.open()) {
                total = wm.total(new ParameterStore(m, false), terms);
                tape.backward(total);
            }
            assertThat(total.getFloat()).as("harmonised total").isCloseTo(9.8150334f, within(1e-5f));
            assertThat(wm.harmonyTerms()).containsExactly("image", "reward", "kl");
            assertThat(wm.harmony().logScales().getArray().getGradient().toFloatArray())
                    .containsExactly(new float[] {-0.8333333f, -2.6666667f, -1.9166667f}, within(1e-5f));
            Map<String, Float> weights = Map.of("image", 0.5f, "state", 1f, "reward", 2f, "cont", 1f, "kl_dyn", 5f / 6,
                    "kl_rep", 1f / 6);
            weights.forEach((name, w) -> assertThat(terms.get(name).getGradient().getFloat()).as("∂/∂%s", name)
                    .isCloseTo(w, within(1e-5f)));
        }
    }

    /**
     * With DreamerV2's KL balance α = 0.8 the KL weights are α and 1 - α, already normalised: kl =
     * (0.8 · 2 + 0.2 · 4) / 1 + 0.8 ln 2 = 2.4 + 0.5545177; total 2.5986123 + 3.4054651 + 2.9545177 + 0.9
     * = 9.8585951. Without balancing the weights are 1 but the KL's: 3 + 0.7 + 1.5 + 0.2 + 0.5 · 2 +
     * 0.1 · 4 = 6.8.
     */
    @Test
    void klBalanceUnderHarmonyAndTheFixedWeights(@TempDir Path dir) {
        try (DreamerAgent agent = agent(dir, Map.of("loss_balance", "harmony", "kl_balance", "0.8"));
                NDManager m = NDManager.newBaseManager()) {
            setSigmas(agent.worldModel(), Map.of("image", 2.0, "reward", 0.5, "kl", 1.0));
            NDArray total = agent.worldModel().total(new ParameterStore(m, false), terms(m));
            assertThat(total.getFloat()).isCloseTo(9.8585951f, within(1e-5f));
        }
        try (DreamerAgent agent = agent(dir, Map.of()); NDManager m = NDManager.newBaseManager()) {
            assertThat(agent.worldModel().harmony()).isNull();
            NDArray total = agent.worldModel().total(new ParameterStore(m, false), terms(m));
            assertThat(total.getFloat()).isCloseTo(6.8f, within(1e-5f));
        }
    }

    /**
     * A harmony checkpoint resumes; one written before the term set followed HarmonyDream's code (its
     * properties name no terms) is refused before anything changes.
     */
    @Test
    void aHarmonyCheckpointFromBeforeTheNewTermSetIsRefusedAndChangesNothing(@TempDir Path dir) throws Exception {
        Path now = Files.createDirectories(dir.resolve("now"));
        Path before = Files.createDirectories(dir.resolve("before"));
        try (DreamerAgent a = agent(dir, Map.of("loss_balance", "harmony"), 1)) {
            a.save(now);
            a.save(before);
        }
        Path props = before.resolve(DreamerAgent.STATE_FILE);
        Files.write(props, Files.readAllLines(props).stream()
                .filter(line -> !line.startsWith(DreamerAgent.HARMONY_TERMS + "=")).toList());
        try (DreamerAgent b = agent(dir, Map.of("loss_balance", "harmony"), 2)) {
            List<Float> params = Fingerprint.of(b);
            assertThatThrownBy(() -> b.load(before)).isInstanceOf(IncompatibleCheckpointException.class);
            assertThat(Fingerprint.of(b)).isEqualTo(params);
            b.load(now);
            assertThat(Fingerprint.of(b)).isNotEqualTo(params);
        }
    }

    private static DreamerAgent agent(Path dir, Map<String, String> options) {
        return agent(dir, options, 3);
    }

    private static DreamerAgent agent(Path dir, Map<String, String> options, long seed) {
        EnvSpec spec = Fixtures.spec(true, true, true, 1);
        Map<String, String> set = new HashMap<>(options);
        set.put("cnn_depth", "4");
        return Fixtures.agent(spec, Fixtures.experience(spec, 100, 1), dir, seed, set);
    }

    private static Map<String, NDArray> terms(NDManager m) {
        Map<String, NDArray> terms = new LinkedHashMap<>();
        TERMS.forEach((name, v) -> {
            NDArray x = m.create(v);
            x.setRequiresGradient(true);
            terms.put(name, x);
        });
        return terms;
    }

    /** Sets σ by term name ({@code s = ln σ}); terms not named keep σ = 1. */
    private static void setSigmas(WorldModel wm, Map<String, Double> sigmas) {
        List<String> names = wm.harmonyTerms();
        float[] s = new float[names.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.log(sigmas.getOrDefault(names.get(i), 1.0));
        }
        wm.harmony().logScales().getArray().set(FloatBuffer.wrap(s));
    }
}
