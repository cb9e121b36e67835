package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.worldgate.testkit.FakeExperience;

/**
 * Gradients do not depend on when the garbage collector runs. A collection between a forward and
 * a backward pass used to free memory that the backward pass still read (DJL's number overloads,
 * see the runtime's {@code Scalars}); the gradient norms then came out huge or NaN now and then.
 */
class GarbageCollectionTest {

    @Test
    void gradientNormsStayOrdinaryWhileTheCollectorRunsThroughout(@TempDir Path dir) throws InterruptedException {
        for (boolean discrete : new boolean[] {true, false}) {
            EnvSpec spec = Fixtures.spec(discrete, false, true, 1);
            FakeExperience exp = Fixtures.experience(spec, 1000, 3);
            AtomicBoolean training = new AtomicBoolean(true);
            Thread collector = new Thread(() -> collectGarbageUntil(training), "gc-pressure");
            collector.setDaemon(true);
            List<Map<String, Double>> updates = new ArrayList<>();
            try (DreamerAgent agent = Fixtures.agent(spec, exp, dir.resolve("d" + discrete), 7, Map.of())) {
                collector.start();
                for (int i = 0; i < 12; i++) {
                    updates.add(agent.update());
                }
            } finally {
                training.set(false);
                collector.join();
            }
            for (String norm : List.of("model/grad_norm", "actor/grad_norm", "critic/grad_norm")) {
                // an untrained debug model's norms are of order 1-10 on this data; 1e4 only when corrupted
                assertThat(updates).as("%s (discrete %s)", norm, discrete)
                        .allSatisfy(m -> assertThat(m.get(norm)).isFinite().isLessThan(1e4));
            }
        }
    }

    /** Collects every 20 ms and reuses what the cleaner frees, so freed memory changes. */
    private static void collectGarbageUntil(AtomicBoolean running) {
        List<ByteBuffer> reuse = new ArrayList<>();
        while (running.get()) {
            System.gc();
            for (int i = 0; i < 32; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4);
                b.putFloat(0, Float.NaN);
                reuse.add(b);
            }
            if (reuse.size() > 4096) {
                reuse.clear();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
