package io.worldgate.plugin.mae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.EncoderMode;
import io.worldgate.runtime.nn.EncoderSettings;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.runtime.tensor.Tensors;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The three encoder modes of an agent that binds the MAE service: frozen (the service's weights,
 * untouched), finetune (the agent's loss trains a copy's encoder, with the gradient finite
 * differences give), online (the copy's reconstruction loss falls on fixed frames).
 */
class MaeEncoderModesTest {
    private static final MaeSizes DEBUG = new MaeSizes(32, 32, 3, 8, 32, 1, 2, 32, 1, 2);

    /** A service over a fresh debug MAE, and 8 fixed 32x32 frames. */
    private record Fixture(NDManager manager, MaeImageEncoder service, NDArray images) implements AutoCloseable {
        static Fixture create(long seed) {
            Engine.getInstance().setRandomSeed((int) seed);
            NDManager manager = NDManager.newBaseManager();
            try (NoGradient off = NoGradient.open()) {
                MaeModel model = new MaeModel(DEBUG);
                model.initialize(manager);
                SplittableRandom rng = new SplittableRandom(seed);
                List<NDArray> frames = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Tensor t = Frames.squares(32, 2, rng);
                    frames.add(Tensors.toNDArray(manager, t).expandDims(0));
                }
                NDArray images = NDArrays.concat(new NDList(frames), 0);
                return new Fixture(manager, MaeImageEncoder.of(model, manager), images);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private static EncoderSettings settings(EncoderMode mode, float lr) {
        return new EncoderSettings("mae", mode, lr, 64, 0);
    }

    private static Map<Parameter, float[]> snapshot(List<Parameter> params) {
        Map<Parameter, float[]> out = new IdentityHashMap<>();
        params.forEach(p -> out.put(p, p.getArray().toFloatArray()));
        return out;
    }

    private static boolean unchanged(Map<Parameter, float[]> before) {
        return before.entrySet().stream()
                .allMatch(e -> java.util.Arrays.equals(e.getKey().getArray().toFloatArray(), e.getValue()));
    }

    /** The agent's stand-in loss on the features: a fixed weighting of every feature. */
    private static NDArray agentLoss(BoundEncoder encoder, ParameterStore ps, NDArray images, NDArray weights) {
        return encoder.features(ps, images).mul(weights).sum();
    }

    @Test
    void frozenGivesTheServiceFeaturesAndChangesNoWeight() {
        try (Fixture f = Fixture.create(1); NDManager agent = NDManager.newBaseManager()) {
            Map<Parameter, float[]> service = snapshot(Parameters.all(f.service().model()));
            try (BoundEncoder encoder = BoundEncoder.bind(f.service(), settings(EncoderMode.FROZEN, 1e-2f), agent)) {
                assertThat(encoder.network()).isNull();
                ParameterStore ps = new ParameterStore(agent, false);
                NDArray weights = agent.randomNormal(new ai.djl.ndarray.types.Shape(8, 32));
                NDArray features;
                try (GradientScope tape = GradientScope.open()) {
                    features = encoder.features(ps, f.images());
                    assertThat(features.hasGradient()).isFalse();
                }
                assertThat(features.toFloatArray()).containsExactly(f.service().encode(f.images()).toFloatArray());
                assertThat(encoder.update(ps, f.images(), new SplittableRandom(1))).isEmpty();
                assertThat(agentLoss(encoder, ps, f.images(), weights).getFloat()).isFinite();
            }
            assertThat(unchanged(service)).as("the service's weights after a frozen update").isTrue();
        }
    }

    @Test
    void finetuneTrainsTheCopysEncoderWithTheGradientOfTheAgentsLoss() {
        try (Fixture f = Fixture.create(2); NDManager agent = NDManager.newBaseManager()) {
            Map<Parameter, float[]> service = snapshot(Parameters.all(f.service().model()));
            try (NoGradient off = NoGradient.open();
                    BoundEncoder encoder = BoundEncoder.bind(f.service(), settings(EncoderMode.FINETUNE, 1e-2f), agent)) {
                MaeModel copy = (MaeModel) encoder.network();
                ParameterStore ps = new ParameterStore(agent, false);
                NDArray weights = agent.randomNormal(new ai.djl.ndarray.types.Shape(8, 32));
                // the copy starts as the service
                assertThat(encoder.features(ps, f.images()).toFloatArray())
                        .containsExactly(f.service().encode(f.images()).toFloatArray());
                try (GradientScope tape = GradientScope.open()) {
                    tape.backward(agentLoss(encoder, ps, f.images(), weights));
                }
                // the gradient is where the loss reaches: the encoder, not the decoder
                for (Parameter p : Parameters.all(copy.encoder())) {
                    assertThat(p.getArray().getGradient().abs().sum().getFloat()).as(p.getName()).isPositive();
                }
                List<Parameter> decoder = new ArrayList<>(Parameters.all(copy));
                decoder.removeAll(Parameters.all(copy.encoder()));
                assertThat(decoder).isNotEmpty();
                for (Parameter p : decoder) {
                    NDArray g = p.getArray().getGradient();
                    assertThat(g.abs().sum().getFloat()).as("decoder " + p.getName()).isZero();
                }
                // the patch embedding's gradient against central differences, where it is largest
                Parameter embed = Parameters.all(copy.encoder()).get(0);
                NDArray w = embed.getArray();
                float[] grad = w.getGradient().toFloatArray();
                int[] largest = largest(grad, 5);
                float eps = 1e-2f;
                for (int i : largest) {
                    float x = w.toFloatArray()[i];
                    double up = lossWith(encoder, ps, f.images(), weights, w, i, x + eps);
                    double down = lossWith(encoder, ps, f.images(), weights, w, i, x - eps);
                    setAt(w, i, x);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(numeric).as("d loss / d w[%d]", i).isCloseTo(grad[i], org.assertj.core.data.Offset.offset(
                            0.03 * Math.abs(grad[i]) + 1e-3));
                }
                Map<Parameter, float[]> encoderBefore = snapshot(Parameters.all(copy.encoder()));
                Map<Parameter, float[]> decoderBefore = snapshot(decoder);
                Map<String, Double> m = encoder.update(ps, f.images(), new SplittableRandom(2));
                assertThat(m.get("encoder/grad_norm")).isPositive();
                assertThat(unchanged(encoderBefore)).as("the copy's encoder after the update").isFalse();
                assertThat(unchanged(decoderBefore)).as("the copy's decoder after the update").isTrue();
            }
            assertThat(unchanged(service)).as("the service's weights").isTrue();
        }
    }

    private static int[] largest(float[] values, int k) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(values[b]), Math.abs(values[a])));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static void setAt(NDArray w, int flat, float value) {
        long cols = w.getShape().get(1);
        w.set(new NDIndex(flat / cols, flat % cols), value);
    }

    private static double lossWith(BoundEncoder encoder, ParameterStore ps, NDArray images, NDArray weights, NDArray w,
            int flat, float value) {
        setAt(w, flat, value);
        return agentLoss(encoder, ps, images, weights).getFloat();
    }

    @Test
    void onlineReconstructionLossFallsOnFixedFramesAndTheAgentsFeaturesAreDetached() {
        try (Fixture f = Fixture.create(3); NDManager agent = NDManager.newBaseManager()) {
            Map<Parameter, float[]> service = snapshot(Parameters.all(f.service().model()));
            try (NoGradient off = NoGradient.open();
                    BoundEncoder encoder = BoundEncoder.bind(f.service(), settings(EncoderMode.ONLINE, 3e-3f), agent)) {
                ParameterStore ps = new ParameterStore(agent, false);
                try (GradientScope tape = GradientScope.open()) {
                    assertThat(encoder.features(ps, f.images()).hasGradient()).isFalse();
                }
                NDArray before = encoder.features(ps, f.images());
                SplittableRandom rng = new SplittableRandom(3);
                List<Double> losses = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    losses.add(encoder.update(ps, f.images(), rng).get("encoder/loss"));
                }
                double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                System.out.printf("online MAE, 8 fixed frames: loss %.3f (updates 1-5) -> %.3f (36-40)%n", first, last);
                assertThat(last).isLessThan(0.8 * first);
                // the agent reads the current encoder
                assertThat(encoder.features(ps, f.images()).toFloatArray()).isNotEqualTo(before.toFloatArray());
            }
            assertThat(unchanged(service)).as("the service's weights").isTrue();
        }
    }

    @Test
    void anOnlineWarmUpTakesItsUpdatesOnTheMaesOwnLossThenStops() {
        try (Fixture f = Fixture.create(4); NDManager agent = NDManager.newBaseManager()) {
            EncoderSettings settings = new EncoderSettings("mae", EncoderMode.ONLINE, 3e-3f, 64, 0,
                    io.worldgate.runtime.nn.EncoderFeatures.MEAN, 3);
            try (NoGradient off = NoGradient.open(); BoundEncoder encoder = BoundEncoder.bind(f.service(), settings, agent)) {
                ParameterStore ps = new ParameterStore(agent, false);
                Map<Parameter, float[]> copy = snapshot(Parameters.all(encoder.network()));
                SplittableRandom rng = new SplittableRandom(4);
                Map<String, Double> m = Map.of();
                while (encoder.warmingUp()) {
                    m = encoder.warmUp(ps, f.images(), null, rng);
                }
                assertThat(encoder.warmupUpdates()).isEqualTo(3);
                assertThat(m.get("encoder/warmup_updates")).isEqualTo(3.0);
                assertThat(m.get("encoder/loss")).isPositive();
                assertThat(unchanged(copy)).as("the copy after its warm-up").isFalse();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> encoder.warmUp(ps, f.images(), null, rng))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }
}
