package io.worldgate.plugin.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.io.JsonFiles;
import io.worldgate.testkit.FakeLearnerContext;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face {@code ViTMAEModel} weights in the Java encoder: the fixture of
 * {@code bench/mae/hf_fixture.py} (a tiny random model saved by {@code save_pretrained}, a frame,
 * and the embedding transformers computed with every patch encoded) gives the same embedding here
 * to 1e-4, without torch.
 */
class HfVitMaeTest {

    private static Path fixture() throws URISyntaxException {
        return Path.of(HfVitMaeTest.class.getResource("/hf-vit-mae/config.json").toURI()).getParent();
    }

    @Test
    void givesTheEmbeddingTransformersComputedForTheSameFrame() throws Exception {
        Path dir = fixture();
        Map<String, Object> expected = JsonFiles.readObject(dir.resolve("expected.json"));
        @SuppressWarnings("unchecked")
        List<Double> want = (List<Double>) expected.get("embedding");
        byte[] frame = Files.readAllBytes(dir.resolve("frame.u8"));
        try (MaeImageEncoder encoder = MaeImageEncoder.open(dir, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
            assertThat(encoder.imageSize()).containsExactly(32, 32);
            assertThat(encoder.featureSize()).isEqualTo(16);
            assertThat(encoder.model().sizes().normEpsilon()).isEqualTo(1e-12f);
            NDArray images = m.create(frame, new Shape(1, 32, 32, 3)).toType(DataType.UINT8, false);
            float[] got = encoder.encode(images).toFloatArray();
            assertThat(got).hasSize(want.size());
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want.get(i)));
            }
            System.out.printf("Hugging Face ViT-MAE fixture (transformers %s): largest difference %.2e over %d features%n",
                    expected.get("transformers"), worst, got.length);
            assertThat(worst).isLessThan(1e-4);
            // what transformers does unless told not to: 4 of 16 patches (plus the class token) encoded
            assertThat(((Number) expected.get("tokens_masked_default")).intValue()).isEqualTo(5);
            assertThat(((Number) expected.get("tokens_unmasked")).intValue()).isEqualTo(17);
        }
    }

    @Test
    void theLearnerStartsFromTheWeightsAndTrainsOn(@TempDir Path dir) throws Exception {
        MaeLearnerFactory factory = new MaeLearnerFactory();
        String weights = fixture().toString();
        FakeLearnerContext context = new FakeLearnerContext(Frames.experience(32, 8, 3), Frames.space(32), dir, 1);
        try (MaeLearner learner = (MaeLearner) factory.create(context,
                factory.descriptor().resolve("debug", Map.of("weights", weights, "batch", "4")));
                MaeImageEncoder hf = MaeImageEncoder.open(fixture(), Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            assertThat(learner.model().sizes()).isEqualTo(hf.model().sizes());
            NDArray images = m.randomInteger(0, 256, new Shape(2, 32, 32, 3), DataType.INT32).toType(DataType.UINT8, false);
            float[] before = MaeImageEncoder.of(learner.model(), m).encode(images).toFloatArray();
            assertThat(before).containsExactly(hf.encode(images).toFloatArray());
            assertThat(learner.update().get("loss/reconstruction")).isFinite();
        }
        // the frames must be the weights' size
        FakeLearnerContext other = new FakeLearnerContext(Frames.experience(64, 8, 3), Frames.space(64), dir, 1);
        assertThatThrownBy(() -> factory.create(other, factory.descriptor().resolve("debug", Map.of("weights", weights))))
                .isInstanceOf(AgentException.class).hasMessageContaining("32x32x3");
    }

    @Test
    void theSafetensorsFileAloneWithItsConfigBesideItLoadsToo() throws Exception {
        Path weights = fixture().resolve(HfVitMae.WEIGHTS);
        try (MaeImageEncoder encoder = MaeImageEncoder.open(weights, Device.cpu())) {
            assertThat(encoder.source()).isEqualTo(weights);
        }
    }

    @Test
    void refusesConfigsAndFilesOfAnotherArchitecture(@TempDir Path dir) throws Exception {
        Path src = fixture();
        Files.copy(src.resolve(HfVitMae.WEIGHTS), dir.resolve(HfVitMae.WEIGHTS));
        String config = Files.readString(src.resolve(HfVitMae.CONFIG));
        // one layer more in the config than in the file
        Files.writeString(dir.resolve(HfVitMae.CONFIG), config.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        assertThatThrownBy(() -> MaeImageEncoder.open(dir, Device.cpu())).isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("encoder.layer.2");
        Files.writeString(dir.resolve(HfVitMae.CONFIG), config.replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"));
        assertThatThrownBy(() -> MaeImageEncoder.open(dir, Device.cpu())).isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("intermediate_size");
        Files.writeString(dir.resolve(HfVitMae.CONFIG), config.replace("\"vit_mae\"", "\"vit\""));
        assertThatThrownBy(() -> MaeImageEncoder.open(dir, Device.cpu())).isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("model_type");
        assertThatThrownBy(() -> MaeImageEncoder.open(dir.resolve("nothing"), Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no MAE weights");
    }

    /**
     * A ViTMAE saved after {@code mask_ratio=0} was set for inference stores 0; training the copy at 0
     * would mask nothing (a loss of 0/0), so the MAE's 0.75 applies; other ratios are kept.
     */
    @Test
    void aStoredInferenceRatioOfZeroTrainsAtTheMaesDefault(@TempDir Path dir) throws Exception {
        String config = Files.readString(fixture().resolve(HfVitMae.CONFIG));
        Path zero = dir.resolve("zero.json");
        Files.writeString(zero, config.replace("\"mask_ratio\": 0.75", "\"mask_ratio\": 0.0"));
        assertThat(HfVitMae.maskRatio(zero)).isEqualTo(0.75);
        Path half = dir.resolve("half.json");
        Files.writeString(half, config.replace("\"mask_ratio\": 0.75", "\"mask_ratio\": 0.5"));
        assertThat(HfVitMae.maskRatio(half)).isEqualTo(0.5);
    }
}
