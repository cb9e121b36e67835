package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.math.SymexpBins;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.testkit.FakeExperience;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recipe=2024}: DreamerV3's current recipe as one option over the first release's defaults. */
class RecipeTest {

    @Test
    void recipe2024SetsEachOfItsKeysAndTheDefaultStaysTheFirstRelease() {
        DreamerConfig first = DreamerConfig.from(Fixtures.config("debug", Map.of()));
        assertThat(first.dynScale()).isEqualTo(0.5f);
        assertThat(first.repScale()).isEqualTo(0.1f);
        assertThat(first.twohotSpace()).isEqualTo("symlog");
        assertThat(first.twoHot()).isInstanceOf(TwoHotBins.class);
        assertThat(first.actorGrad()).isEqualTo("auto");
        assertThat(first.repvalScale()).isEqualTo(0f);

        DreamerConfig current = DreamerConfig.from(Fixtures.config("debug", Map.of("recipe", "2024")));
        assertThat(current.dynScale()).isEqualTo(1.0f);
        assertThat(current.repScale()).isEqualTo(0.1f);
        assertThat(current.twohotSpace()).isEqualTo("real");
        assertThat(current.twoHot()).isInstanceOf(SymexpBins.class);
        assertThat(current.twoHot().count()).isEqualTo(63);  // the debug preset's bins
        assertThat(current.actorGrad()).isEqualTo("reinforce");
        assertThat(current.repvalScale()).isEqualTo(0.3f);
        // everything else as without the recipe
        Map<String, String> without = new HashMap<>(Fixtures.config("debug", Map.of()).asMap());
        Map<String, String> with = new HashMap<>(Fixtures.config("debug", Map.of("recipe", "2024")).asMap());
        for (String key : List.of("recipe", "dyn_scale", "twohot_space", "actor_grad", "repval_scale")) {
            without.remove(key);
            with.remove(key);
        }
        assertThat(with).isEqualTo(without);
    }

    @Test
    void eachKeyOfTheRecipeStaysOverridable() {
        Map<String, String> set = Map.of("recipe", "2024", "dyn_scale", "0.5", "twohot_space", "symlog",
                "actor_grad", "backprop", "repval_scale", "0");
        DreamerConfig c = DreamerConfig.from(Fixtures.config("dmc_proprio", set));
        assertThat(c.dynScale()).isEqualTo(0.5f);
        assertThat(c.twohotSpace()).isEqualTo("symlog");
        assertThat(c.actorGrad()).isEqualTo("backprop");
        assertThat(c.repvalScale()).isEqualTo(0f);
        assertThat(DreamerConfig.from(Fixtures.config(null, Map.of("recipe", "2024", "repval_scale", "1"))).repvalScale())
                .isEqualTo(1f);
    }

    @Test
    void recipe2024TrainsWithFiniteLossesInContinuousAndDiscreteSpaces(@TempDir Path dir) {
        for (boolean discrete : new boolean[] {false, true}) {
            EnvSpec spec = Fixtures.spec(discrete, false, true, 2);
            FakeExperience exp = Fixtures.experience(spec, 600, 5);
            Map<String, String> set = new HashMap<>(Map.of("recipe", "2024", "batch_size", "8", "batch_length", "16"));
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 3, set)) {
                assertThat(agent.actorCritic().backprop()).isFalse();
                Map<String, Double> m = Map.of();
                for (int i = 0; i < 4; i++) {
                    m = agent.train(5);
                    Map<String, Double> seen = m;
                    m.forEach((name, v) -> assertThat(v).as("%s (discrete %s): %s", name, discrete, seen).isFinite());
                }
                assertThat(m).containsKeys("critic/repval_loss", "critic/replay_return_mean");
                assertThat(m.get("critic/repval_loss")).isPositive();
            }
        }
    }
}
