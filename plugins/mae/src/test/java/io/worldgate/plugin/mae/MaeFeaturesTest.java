package io.worldgate.plugin.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.plugin.dreamer.DreamerAgentFactory;
import io.worldgate.plugin.tdmpc2.TdMpc2AgentFactory;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.EncoderFeatures;
import io.worldgate.runtime.nn.EncoderMode;
import io.worldgate.runtime.nn.EncoderSettings;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.StepBatches;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encoder_features}: the mean of the patch tokens, the class token or every patch token, each
 * against values taken by hand from the encoder's own tokens; agents bound with every token build
 * their layer on top at {@code N x D} and train.
 */
class MaeFeaturesTest {
    /** 64x64 frames, 64 patches of 8x8, tokens of 32. */
    private static final MaeSizes DEBUG = MaeModelTest.DEBUG;
    private static final int N = 64;
    private static final int D = 32;

    private NDManager manager;
    private MaeModel model;
    private MaeImageEncoder service;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        try (NoGradient off = NoGradient.open()) {
            model = new MaeModel(DEBUG);
            model.initialize(manager);
        }
        service = MaeImageEncoder.of(model, manager);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray frames(int count) {
        return manager.randomInteger(0, 256, new Shape(count, 64, 64, 3), DataType.INT32).toType(DataType.UINT8, false);
    }

    /** The encoder's tokens {@code [B][1 + N][D]}, class token first, every patch kept in grid order. */
    private float[][][] tokens(NDArray images) {
        try (NoGradient off = NoGradient.open()) {
            NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(images), DEBUG.patch());
            NDArray t = model.encode(new ParameterStore(manager, false), patches, null, false);
            assertThat(t.getShape()).isEqualTo(new Shape(images.getShape().get(0), 1 + N, D));
            float[] flat = t.toFloatArray();
            int b = (int) images.getShape().get(0);
            float[][][] out = new float[b][1 + N][D];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j <= N; j++) {
                    System.arraycopy(flat, (i * (1 + N) + j) * D, out[i][j], 0, D);
                }
            }
            return out;
        }
    }

    /** Each kind's vector per frame, worked out from the tokens. */
    private static float[] byHand(float[][][] tokens, EncoderFeatures kind) {
        int b = tokens.length;
        float[] out = new float[(int) (b * DEBUG.featureSize(kind))];
        int at = 0;
        for (float[][] frame : tokens) {
            switch (kind) {
                case MEAN:
                    for (int d = 0; d < D; d++) {
                        double sum = 0;
                        for (int j = 1; j <= N; j++) {
                            sum += frame[j][d];
                        }
                        out[at++] = (float) (sum / N);
                    }
                    break;
                case CLS:
                    System.arraycopy(frame[0], 0, out, at, D);
                    at += D;
                    break;
                default:
                    for (int j = 1; j <= N; j++) {
                        System.arraycopy(frame[j], 0, out, at, D);
                        at += D;
                    }
            }
        }
        return out;
    }

    private static void assertClose(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("feature %d", i).isCloseTo(want[i], within(1e-6f));
        }
    }

    @Test
    void eachKindIsWhatTheEncodersTokensGiveByHand() {
        NDArray images = frames(3);
        float[][][] tokens = tokens(images);
        for (EncoderFeatures kind : EncoderFeatures.values()) {
            NDArray f = service.encode(images, kind);
            assertThat(f.getShape()).as(kind.key()).isEqualTo(new Shape(3, service.featureSize(kind)));
            assertClose(f.toFloatArray(), byHand(tokens, kind));
        }
        assertThat(service.featureSize(EncoderFeatures.MEAN)).isEqualTo(D).isEqualTo(service.featureSize());
        assertThat(service.featureSize(EncoderFeatures.CLS)).isEqualTo(D);
        assertThat(service.featureSize(EncoderFeatures.TOKENS)).isEqualTo(N * D);
        // the default is today's vector
        assertClose(service.encode(images).toFloatArray(), byHand(tokens, EncoderFeatures.MEAN));
        // small64: 64 tokens of 192
        assertThat(new MaeSizes(64, 64, 3, 8, 192, 6, 3, 128, 2, 4).featureSize(EncoderFeatures.TOKENS)).isEqualTo(12_288);
    }

    @Test
    void aBoundEncoderReadsTheKindItIsToldInEveryModeAndItsCacheKeepsIt() {
        NDArray images = frames(2).reshape(1, 2, 64, 64, 3); // leading axes [T, B]
        float[][][] tokens = tokens(images.reshape(2, 64, 64, 3));
        ParameterStore ps = new ParameterStore(manager, false);
        for (EncoderMode mode : EncoderMode.values()) {
            for (EncoderFeatures kind : EncoderFeatures.values()) {
                EncoderSettings settings = new EncoderSettings("mae", mode, 1e-4f, 64, 100, kind);
                try (BoundEncoder bound = BoundEncoder.bind(service, settings, manager)) {
                    assertThat(bound.featureSize()).isEqualTo(DEBUG.featureSize(kind));
                    NDArray f = bound.features(ps, images);
                    assertThat(f.getShape()).isEqualTo(new Shape(1, 2, DEBUG.featureSize(kind)));
                    assertClose(f.toFloatArray(), byHand(tokens, kind));
                    // frozen: the second read goes through the cache, keyed on this kind
                    assertClose(bound.features(ps, images).toFloatArray(), byHand(tokens, kind));
                }
            }
        }
    }

    private static final EnvSpec PIXELS = TestSpecs.of("pixels", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 3)),
            TestSpecs.asymmetricBox(), 2);

    /**
     * An agent of {@code factory} at tiny {@code sizes} (the agents' debug presets, spelt out: on
     * this test's class path {@code presets/debug.properties} is the MAE's), bound with
     * {@code overrides}, trained for one update.
     */
    private Map<String, Double> trainOnce(AgentFactory factory, Map<String, String> sizes, Map<String, String> overrides,
            Path dir) {
        FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(PIXELS, 120, 5), dir, 5)
                .withService("mae", service);
        AgentConfig config = AgentConfig.resolve("agent", factory.descriptor().name(), factory.descriptor().configKeys(),
                Map.of("tiny", sizes), null, "tiny", overrides);
        try (Agent agent = factory.create(PIXELS, config, context)) {
            Tensor act = agent.act(StepBatches.random(PIXELS, new boolean[] {true, true}, new SplittableRandom(5)),
                    ActMode.EXPLORE);
            assertThat(PIXELS.actionSpace().validateBatch(act, 2)).isEmpty();
            return agent.train(1);
        }
    }

    @Test
    void dreamerBoundToEveryTokenBuildsAndTakesAnUpdate(@TempDir Path dir) {
        Map<String, String> tiny = Map.of("deter", "64", "hidden", "64", "stoch", "8", "classes", "8", "units", "64",
                "layers", "2", "cnn_depth", "8", "bins", "63", "video_every", "0");
        Map<String, Double> m = trainOnce(new DreamerAgentFactory(), tiny, Map.of("encoder", "mae", "encoder_features",
                "tokens", "batch_size", "2", "batch_length", "4"), dir);
        assertThat(m.get("train/updates")).isEqualTo(1.0);
        assertThat(m.get("loss/image")).isFinite();
    }

    @Test
    void tdMpc2BoundToEveryTokenOnlineBuildsAndTakesAnUpdate(@TempDir Path dir) {
        Map<String, String> tiny = Map.of("latent_dim", "16", "mlp_dim", "32", "enc_dim", "32", "num_channels", "8",
                "iterations", "2", "num_samples", "32", "num_elites", "8", "num_pi_trajs", "4");
        Map<String, Double> m = trainOnce(new TdMpc2AgentFactory(), tiny, Map.of("encoder", "mae", "encoder_features",
                "tokens", "encoder_mode", "online", "batch_size", "2", "horizon", "2"), dir);
        assertThat(m.get("train/updates")).isEqualTo(1.0);
        assertThat(m.get("loss/total")).isFinite();
        assertThat(m.get("encoder/loss")).isFinite();
    }
}
