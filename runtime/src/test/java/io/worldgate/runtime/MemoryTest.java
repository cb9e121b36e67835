package io.worldgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.dist.SymexpTwoHot;
import io.worldgate.runtime.math.ReturnNormalizer;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.nn.Mlp;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.EmaTarget;
import io.worldgate.runtime.optim.GradientScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Thousands of small training updates following the documented pattern (one {@link UpdateScope}
 * per update; forward, two-hot loss, return normalisation, clipped Adam, EMA target) must leave the
 * number of live NDArrays in the model's manager, and in the whole process, unchanged, and the
 * process RSS flat after warm-up. The surefire configuration fixes and pre-touches the Java heap,
 * so RSS growth here is native memory.
 */
class MemoryTest {
    private static final int WARMUP = 1000;
    private static final int UPDATES = 1500;
    private static final int BLOCK = 500;
    /**
     * RSS growth allowed in the quietest block of {@link #BLOCK} updates after warm-up. A leak grows
     * in every block: one [16, 255] float tensor per update (16 KB) adds 8 MiB to each. The
     * allocator's own growth does not: on a quiet machine the blocks grow by 1 to 3 MiB, and with
     * other processes busy beside the test one block may jump by tens of MiB (new arenas), which
     * judging the total would call a leak.
     */
    private static final long RSS_SLACK_BYTES = 4L << 20;

    private NDManager model;
    private Mlp critic;
    private ParameterStore store;
    private Adam adam;
    private EmaTarget slow;
    private final TwoHotBins bins = TwoHotBins.dreamerV3();
    private final ReturnNormalizer norm = ReturnNormalizer.dreamerV3();

    @Test
    void liveArraysAndRssStayFlat() throws IOException {
        Engine.getInstance().setRandomSeed(5);
        model = NDManager.newBaseManager();
        try {
            critic = Mlp.builder().units(32).layers(2).outputs(bins.count()).zeroInitOutput(true).build();
            critic.initialize(model, DataType.FLOAT32, new Shape(1, 8));
            Mlp target = Mlp.builder().units(32).layers(2).outputs(bins.count()).zeroInitOutput(true).build();
            target.initialize(model, DataType.FLOAT32, new Shape(1, 8));
            store = new ParameterStore(model, false);
            adam = Adam.builder().learningRate(3e-3f).epsilon(1e-5f).clipGlobalNorm(100f).build(critic);
            slow = EmaTarget.of(critic, target, 0.02f, 1);
            slow.copyNow();

            float firstLoss = 0;
            for (int i = 0; i < WARMUP; i++) {
                float l = update();
                if (i == 0) {
                    firstLoss = l;
                }
            }
            System.gc();
            NDManager system = model.getParentManager();
            int arrays = model.getManagedArrays().size();
            int everywhere = system.getManagedArrays().size();
            long rss = rssBytes();
            long blockStart = rss;
            long quietest = Long.MAX_VALUE;
            float lastLoss = 0;
            for (int i = 0; i < UPDATES; i++) {
                lastLoss = update();
                if (i % BLOCK == BLOCK - 1) {
                    assertThat(model.getManagedArrays().size()).as("live arrays after %d updates", i).isEqualTo(arrays);
                    long now = rssBytes();
                    quietest = Math.min(quietest, now - blockStart);
                    blockStart = now;
                }
            }
            System.gc();
            long grown = rssBytes() - rss;
            System.out.printf("MemoryTest: %d live arrays in the model manager; RSS %+.1f MiB over %d updates, "
                    + "%+.1f MiB in the quietest block of %d; loss %.3f -> %.3f%n",
                    arrays, grown / 1048576.0, UPDATES, quietest / 1048576.0, BLOCK, firstLoss, lastLoss);
            assertThat(model.getManagedArrays().size()).isEqualTo(arrays);
            // nothing accumulated in any other manager of the process either
            assertThat(system.getManagedArrays().size()).isEqualTo(everywhere);
            assertThat(quietest).as("RSS growth in the quietest block of %d updates", BLOCK).isLessThan(RSS_SLACK_BYTES);
            assertThat(lastLoss).isLessThan(firstLoss);
            assertThat(adam.steps()).isEqualTo(WARMUP + UPDATES);
        } finally {
            if (adam != null) {
                adam.close();
            }
            model.close();
        }
    }

    /** One critic update on a synthetic regression task; returns the loss. */
    private float update() {
        try (UpdateScope update = UpdateScope.open(model)) {
            NDManager m = update.manager();
            NDArray x = m.randomNormal(new Shape(16, 8));
            // returns to regress: 10 * (x_0 + x_1), normalised as the actor would
            NDArray returns = x.get(":, 0").add(x.get(":, 1")).mul(10f);
            norm.update(returns);
            float loss;
            try (GradientScope tape = GradientScope.open()) {
                NDArray logits = critic.forward(store, new NDList(x), true).singletonOrThrow();
                NDArray l = new SymexpTwoHot(logits, bins).loss(returns).mean();
                tape.backward(l);
                loss = l.getFloat();
            }
            adam.step();
            slow.update();
            return loss;
        }
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
