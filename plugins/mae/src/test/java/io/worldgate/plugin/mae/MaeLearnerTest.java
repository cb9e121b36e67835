package io.worldgate.plugin.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.tensor.DType;
import io.worldgate.testkit.FakeLearnerContext;
import io.worldgate.testkit.RecordingMetricsSink;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner learns, shows its reconstructions, and its checkpoint feeds the encoder service. */
class MaeLearnerTest {
    private static final MaeLearnerFactory FACTORY = new MaeLearnerFactory();

    private static MaeLearner create(Path dir, long seed, Map<String, String> overrides) {
        FakeLearnerContext context = new FakeLearnerContext(Frames.experience(64, 16, 11), Frames.space(64), dir, seed);
        return (MaeLearner) FACTORY.create(context, FACTORY.descriptor().resolve("debug", overrides));
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void reconstructionLossFallsOnAFixedSetOfFrames(@TempDir Path dir) {
        try (MaeLearner learner = create(dir, 1, Map.of("batch", "16"))) {
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                losses.add(learner.update().get("loss/reconstruction"));
            }
            double first = mean(losses.subList(0, 5));
            double last = mean(losses.subList(55, 60));
            System.out.printf("MAE debug, 16 frames of coloured squares: loss %.3f (updates 1-5) -> %.3f (56-60)%n", first, last);
            assertThat(last).isLessThan(0.7 * first);
        }
    }

    @Test
    void weightDecaySparesBiasesAndLayerNormsAsTheReferenceDoes(@TempDir Path dir) {
        try (MaeLearner learner = create(dir, 1, Map.of())) {
            Adam adam = learner.optimizer();
            int exempt = 0;
            for (ai.djl.util.Pair<String, Parameter> p : learner.model().getParameters()) {
                boolean vector = p.getValue().getArray().getShape().dimension() < 2;
                assertThat(adam.decays(p.getValue())).as(p.getKey()).isEqualTo(!vector);
                if (vector) {
                    assertThat(p.getKey()).as("a vector").containsAnyOf("bias", "gamma", "beta");
                    exempt++;
                }
            }
            assertThat(exempt).isPositive();
            // the tokens [1, 1, D] are decayed, as in the reference (its add_weight_decay has no skip list)
            assertThat(adam.decays(learner.model().classToken().getParameters().get("token"))).isTrue();
        }
    }

    @Test
    void evalOnlyMeasuresTheTrainingLossWithoutChangingTheWeights(@TempDir Path dir) {
        double trainingFirst;
        try (MaeLearner training = create(dir, 7, Map.of("batch", "16"))) {
            trainingFirst = training.update().get("loss/reconstruction");
        }
        NDManager m = NDManager.newBaseManager();
        try (m; MaeLearner eval = create(dir, 7, Map.of("batch", "16", "eval_only", "true"))) {
            NDArray frames = Tensors.toNDArray(m, Frames.squares(64, 3, new SplittableRandom(5))).expandDims(0);
            float[] before = MaeImageEncoder.of(eval.model(), m).encode(frames).toFloatArray();
            Map<String, Double> first = eval.update();
            // the same seed draws the same initialisation, frames and masks: the loss before any step
            assertThat(first.get("loss/reconstruction")).isCloseTo(trainingFirst, within(1e-6));
            assertThat(first).doesNotContainKeys("train/lr", "train/grad_norm");
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                losses.add(eval.update().get("loss/reconstruction"));
            }
            assertThat(MaeImageEncoder.of(eval.model(), m).encode(frames).toFloatArray()).isEqualTo(before);
            assertThat(mean(losses.subList(15, 20))).as("no learning").isGreaterThan(0.9 * first.get("loss/reconstruction"));
            assertThat(eval.updates()).isEqualTo(21);
        }
    }

    @Test
    void showsMaskedInputReconstructionAndOriginalSideBySide(@TempDir Path dir) {
        FakeLearnerContext context = new FakeLearnerContext(Frames.experience(64, 16, 11), Frames.space(64), dir, 2);
        try (Learner learner = FACTORY.create(context,
                FACTORY.descriptor().resolve("debug", Map.of("image_every", "3", "image_count", "2")))) {
            for (int i = 0; i < 6; i++) {
                learner.update();
            }
        }
        List<RecordingMetricsSink.Image> images = context.metrics().images();
        assertThat(images).hasSize(2);
        RecordingMetricsSink.Image image = images.get(0);
        assertThat(image.tag()).isEqualTo(MaeLearner.IMAGE_TAG);
        assertThat(image.pixels().dtype()).isEqualTo(DType.UINT8);
        assertThat(image.pixels().shape()).containsExactly(2 * 64, 3 * 64, 3);
        // the right third is the original frame: only the background (20) and square colours, and
        // the visible quarter of the masked input (left third) equals it
        int width = 3 * 64;
        int same = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                double left = image.pixels().getDouble(((long) y * width + x) * 3);
                double right = image.pixels().getDouble(((long) y * width + 128 + x) * 3);
                same += left == right ? 1 : 0;
            }
        }
        assertThat(same).as("pixels of the masked input equal to the original").isGreaterThanOrEqualTo(64 * 64 / 4);
    }

    @Test
    void aLoadedCheckpointSavesTheSameFilesAndFeedsTheEncoderService(@TempDir Path dir) throws Exception {
        Path saved = Files.createDirectories(dir.resolve("saved"));
        Path again = Files.createDirectories(dir.resolve("again"));
        float[] expected;
        NDManager m = NDManager.newBaseManager();
        try (m; MaeLearner first = create(dir, 3, Map.of())) {
            for (int i = 0; i < 3; i++) {
                first.update();
            }
            first.save(saved);
            NDArray frames = Tensors.toNDArray(m, Frames.squares(64, 3, new SplittableRandom(5)));
            expected = MaeImageEncoder.of(first.model(), m).encode(frames.expandDims(0)).toFloatArray();
            try (MaeLearner second = create(dir, 4, Map.of())) {
                second.load(saved);
                assertThat(second.updates()).isEqualTo(3);
                second.save(again);
            }
            assertThat(withoutComments(again)).isEqualTo(withoutComments(saved));

            try (MaeImageEncoder encoder = MaeImageEncoder.open(MaeCheckpoint.locate(saved).orElseThrow(), Device.cpu())) {
                assertThat(encoder.imageSize()).containsExactly(64, 64);
                assertThat(encoder.featureSize()).isEqualTo(32);
                assertThat(encoder.encode(frames.expandDims(0)).toFloatArray()).isEqualTo(expected);
                assertThatThrownBy(() -> encoder.encode(frames.get("0:32").expandDims(0)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[..., 64, 64, 3]");
            }
        }
    }

    @Test
    void theServiceFindsTheNewestSealedCheckpointOfALearnerRun(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        try (MaeLearner learner = create(dir, 3, Map.of())) {
            for (String name : new String[] {"0001-step10-mae", "0002-step20-mae", "0003-step30-mae"}) {
                learner.save(Files.createDirectories(run.resolve("checkpoints").resolve(name)));
            }
        }
        Files.writeString(run.resolve("checkpoints/0001-step10-mae/checkpoint.properties"), "sealed");
        Files.writeString(run.resolve("checkpoints/0002-step20-mae/checkpoint.properties"), "sealed");
        // 0003 is not sealed (the host was still writing it)
        assertThat(MaeCheckpoint.locate(run)).contains(run.resolve("checkpoints/0002-step20-mae"));
        assertThat(MaeCheckpoint.locate(dir.resolve("nothing-here"))).isEmpty();
    }

    @Test
    void checkpointsOfOtherSizesAndFramesThatDoNotDivideAreRefused(@TempDir Path dir) throws Exception {
        Path saved = Files.createDirectories(dir.resolve("saved"));
        try (MaeLearner debug = create(dir, 3, Map.of())) {
            debug.save(saved);
        }
        try (MaeLearner wider = create(dir, 3, Map.of("width", "64"))) {
            assertThatThrownBy(() -> wider.load(saved)).isInstanceOf(IncompatibleCheckpointException.class)
                    .hasMessageContaining("enc 1x32h2");
        }
        FakeLearnerContext context = new FakeLearnerContext(Frames.experience(64, 4, 1), Frames.space(64), dir, 1);
        assertThatThrownBy(() -> FACTORY.create(context, FACTORY.descriptor().resolve("debug", Map.of("patch", "7"))))
                .isInstanceOf(AgentException.class).hasMessageContaining("do not divide into 7x7 patches");
    }

    /** Every file of {@code dir} as text, without comment lines (a Properties file's time stamp). */
    private static Map<String, String> withoutComments(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                out.put(f.getFileName().toString(), text.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n"));
            }
        }
        return out;
    }
}
