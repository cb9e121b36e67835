package io.worldgate.plugin.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.tensor.Tensors;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The network's parts against hand-computed values, and that inference masks nothing. */
class MaeModelTest {
    /** The debug preset's sizes on 64x64 RGB frames: 64 patches of 8x8. */
    static final MaeSizes DEBUG = new MaeSizes(64, 64, 3, 8, 32, 1, 2, 32, 1, 2);

    private NDManager manager;
    private NoGradient off;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        off = NoGradient.open();
    }

    @AfterEach
    void close() {
        off.close();
        manager.close();
    }

    @Test
    void sinCosPositionEmbeddingOfA2x2GridMatchesValuesWorkedOutByHand() {
        // dim 8: a quarter of 2 frequencies, ω = 1 and 10000^(-1/2) = 0.01; patch n = 2r + c
        float[] e = PositionEmbedding.sinCos2d(8, 2, 2);
        double s1 = Math.sin(1);
        double c1 = Math.cos(1);
        double s01 = Math.sin(0.01);
        double c01 = Math.cos(0.01);
        double[][] expected = {
            {0, 0, 1, 1, 0, 0, 1, 1},           // (r 0, c 0)
            {s1, s01, c1, c01, 0, 0, 1, 1},     // (r 0, c 1): the first half encodes the column
            {0, 0, 1, 1, s1, s01, c1, c01},     // (r 1, c 0): the second half the row
            {s1, s01, c1, c01, s1, s01, c1, c01},
        };
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 8; j++) {
                assertThat((double) e[n * 8 + j]).as("patch %d, value %d", n, j).isCloseTo(expected[n][j], within(1e-6));
            }
        }
    }

    @Test
    void maskingHidesExactly75PercentOfPatchesDifferentlyPerFrame() {
        Masking m = Masking.random(8, 64, 0.75, new SplittableRandom(3));
        Set<String> patterns = new HashSet<>();
        for (int b = 0; b < 8; b++) {
            float masked = 0;
            for (float v : m.masked()[b]) {
                masked += v;
            }
            assertThat(masked).as("frame %d", b).isEqualTo(48f);
            assertThat(m.keep()[b]).hasSize(16).doesNotHaveDuplicates();
            for (int i = 0; i < 16; i++) {
                int patch = m.keep()[b][i];
                assertThat(m.masked()[b][patch]).isZero();
                assertThat(m.restore()[b][patch]).isEqualTo(i); // restore inverts the shuffle
            }
            assertThat(Arrays.stream(m.restore()[b]).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 64).toArray());
            patterns.add(Arrays.toString(m.masked()[b]));
        }
        assertThat(patterns).as("distinct masks among 8 frames").hasSize(8);
        assertThat(Masking.kept(196, 0.75)).isEqualTo(49); // ViT-B/16 at 224x224: 147 of 196 masked
        // the loss averages over masked patches: at least one is masked, and one kept, whatever the ratio
        assertThat(Masking.kept(64, 0.0)).isEqualTo(63);
        assertThat(Masking.kept(64, 0.999)).isEqualTo(1);
    }

    @Test
    void attentionKeepsTheTokensShape() {
        TransformerBlock block = new TransformerBlock(32, 4, MaeSizes.NORM_EPSILON);
        block.initialize(manager);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(new Shape(3, 5, 32));
        assertThat(block.attention(ps, x, false).getShape()).isEqualTo(new Shape(3, 5, 32));
        assertThat(block.forward(ps, x, false).getShape()).isEqualTo(new Shape(3, 5, 32));
    }

    @Test
    void encoderAndDecoderShapesWithMasking() {
        MaeModel model = new MaeModel(DEBUG);
        model.initialize(manager);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray patches = manager.randomUniform(0f, 1f, new Shape(2, 64, 192));
        Masking m = Masking.random(2, 64, 0.75, new SplittableRandom(1));
        NDArray keep = manager.create(Masking.flat(m.keep()), new Shape(2, 16));
        NDArray restore = manager.create(Masking.flat(m.restore()), new Shape(2, 64));
        NDArray latent = model.encode(ps, patches, keep, false);
        assertThat(latent.getShape()).isEqualTo(new Shape(2, 17, 32));
        assertThat(model.decode(ps, latent, restore, false).getShape()).isEqualTo(new Shape(2, 64, 192));
    }

    @Test
    void inferenceEncodesEveryPatchAndNoMaskChangesIt() {
        MaeModel model = new MaeModel(DEBUG);
        model.initialize(manager);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray frames = manager.randomInteger(0, 256, new Shape(3, 64, 64, 3), DataType.INT32).toType(DataType.UINT8, false);
        MaeImageEncoder encoder = MaeImageEncoder.of(model, manager);
        NDArray features = encoder.encode(frames);
        assertThat(features.getShape()).isEqualTo(new Shape(3, 32));
        // deterministic, and a frame's features do not depend on the rest of the batch (no random mask)
        assertThat(encoder.encode(frames).toFloatArray()).isEqualTo(features.toFloatArray());
        float[] alone = encoder.encode(frames.get("1:2")).toFloatArray();
        float[] inBatch = features.get("1:2").toFloatArray();
        for (int i = 0; i < alone.length; i++) {
            assertThat(alone[i]).isCloseTo(inBatch[i], within(1e-5f));
        }
        // the same as keeping every patch in order: all 64 tokens are encoded
        NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(frames), 8);
        long[] all = new long[3 * 64];
        for (int i = 0; i < all.length; i++) {
            all[i] = i % 64;
        }
        NDArray everyPatch = model.encode(ps, patches, manager.create(all, new Shape(3, 64)), false);
        assertThat(everyPatch.getShape()).isEqualTo(new Shape(3, 65, 32));
        float[] pooled = everyPatch.get(":, 1:").mean(new int[] {1}).toFloatArray();
        float[] f = features.toFloatArray();
        for (int i = 0; i < f.length; i++) {
            assertThat(f[i]).isCloseTo(pooled[i], within(1e-5f));
        }
        // any leading axes: [T, B, H, W, C] -> [T, B, F]
        assertThat(encoder.encode(frames.reshape(1, 3, 64, 64, 3)).getShape()).isEqualTo(new Shape(1, 3, 32));
        assertThat(features.hasGradient()).isFalse();
    }

    @Test
    void patchifyAndUnpatchifyAreInverse() {
        NDArray frames = manager.randomUniform(0f, 1f, new Shape(2, 64, 64, 3));
        NDArray patches = MaeLosses.patchify(frames, 8);
        assertThat(patches.getShape()).isEqualTo(new Shape(2, 64, 192));
        // patch 1 is row 0, columns 8..15
        assertThat(patches.get("0, 1").toFloatArray()).isEqualTo(frames.get("0, 0:8, 8:16, :").flatten().toFloatArray());
        assertThat(MaeLosses.unpatchify(patches, DEBUG).toFloatArray()).isEqualTo(frames.toFloatArray());
    }

    @Test
    void theLossCountsMaskedPatchesOnlyOnNormalisedPixels() {
        NDArray patches = manager.create(new float[] {0, 2, 4, 6, 1, 1, 1, 1}, new Shape(1, 2, 4));
        NDArray target = MaeLosses.target(patches, true);
        // patch 0: mean 3, unbiased var 20/3; patch 1 is flat: (x - mean) = 0
        double sd = Math.sqrt(20.0 / 3 + 1e-6);
        float[] t = target.toFloatArray();
        assertThat((double) t[0]).isCloseTo(-3 / sd, within(1e-5));
        assertThat((double) t[3]).isCloseTo(3 / sd, within(1e-5));
        assertThat(t[5]).isZero();
        NDArray predicted = manager.zeros(new Shape(1, 2, 4));
        NDArray onlySecond = manager.create(new float[] {0, 1}, new Shape(1, 2));
        NDArray onlyFirst = manager.create(new float[] {1, 0}, new Shape(1, 2));
        assertThat(MaeLosses.reconstruction(predicted, target, onlySecond).getFloat()).isZero();
        double firstMse = (9 + 1 + 1 + 9) / (sd * sd) / 4;
        assertThat((double) MaeLosses.reconstruction(predicted, target, onlyFirst).getFloat()).isCloseTo(firstMse, within(1e-5));
    }

    @Test
    void parameterCountsFollowTheSizesAndViTB16HasThePapersSize() {
        MaeModel model = new MaeModel(DEBUG);
        model.initialize(manager);
        long actual = 0;
        for (Parameter p : model.getParameters().values()) {
            actual += p.getArray().getShape().size();
        }
        assertThat(actual).isEqualTo(DEBUG.encoderParameters() + DEBUG.decoderParameters());
        long encoderActual = 0;
        for (Parameter p : model.encoder().getParameters().values()) {
            encoderActual += p.getArray().getShape().size();
        }
        assertThat(encoderActual).isEqualTo(DEBUG.encoderParameters());

        MaeSizes vitB16 = new MaeSizes(224, 224, 3, 16, 768, 12, 12, 512, 8, 16);
        System.out.printf("vit_b16 parameters: encoder %,d, decoder %,d, total %,d%n", vitB16.encoderParameters(),
                vitB16.decoderParameters(), vitB16.encoderParameters() + vitB16.decoderParameters());
        assertThat(vitB16.encoderParameters()).isBetween(85_000_000L, 87_000_000L);      // ViT-B: 86M
        assertThat(vitB16.decoderParameters()).isBetween(25_000_000L, 27_000_000L);
    }
}
