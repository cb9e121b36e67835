package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.testkit.FakeExperience;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each phase of an update frees its activations when it is done with them, as libtorch frees a
 * graph's: the world model's before imagination starts, imagination's before the critic's pass. DJL's
 * managers would otherwise hold every intermediate array until the update ends, so that the peak
 * memory of an update was the sum of its phases' instead of the largest.
 */
class PhaseMemoryTest {

    @Test
    void theWorldModelsAndImaginationsArraysAreFreedBeforeTheNextPhase(@TempDir Path dir) {
        for (boolean discrete : new boolean[] {true, false}) {
            EnvSpec spec = Fixtures.spec(discrete, false, true, 1);
            FakeExperience exp = Fixtures.experience(spec, 500, 3);
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir.resolve("d" + discrete), 7, Map.of())) {
                Map<String, Integer> live = new LinkedHashMap<>();
                agent.listenToPhases(new Timers.Listener() {
                    @Override
                    public void started(String phase) {
                        live.put(phase, agent.liveArrays());
                    }

                    @Override
                    public void stopped(String phase) {}
                });
                agent.update();
                int before = live.get("model");
                // a debug-size world model leaves thousands of arrays (64 steps of filtering, heads,
                // losses), imagination about a thousand; what carries over is a handful of states
                assertThat(live.get("imagine") - before).as("discrete %s: kept for imagination", discrete)
                        .isLessThan(40);
                assertThat(live.get("critic") - before).as("discrete %s: kept for the critic", discrete)
                        .isLessThan(60);
            }
        }
    }
}
