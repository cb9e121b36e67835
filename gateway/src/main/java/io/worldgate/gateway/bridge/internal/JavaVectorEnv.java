package io.worldgate.gateway.bridge.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.FrameRenderer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * N {@link SingleEnv}s stepped in the calling thread, following the auto-reset rule of
 * {@link StepBatch}: an ended environment reports its final observation, and is reset at the
 * next step, which ignores its action.
 */
final class JavaVectorEnv implements VectorEnv, FrameRenderer {
    private static final int FRAME_WIDTH = 160;
    private static final int FRAME_HEIGHT = 96;

    private final EnvSpec spec;
    private final SingleEnv[] envs;
    private final SplittableRandom[] rngs;
    private final int stateSize;
    private final int[] episodeSteps;
    private final boolean[] ended;
    private final long[] episodeIds;
    private long nextEpisodeId;

    JavaVectorEnv(EnvSpec spec, Supplier<SingleEnv> envFactory) {
        this.spec = spec;
        int n = spec.numEnvs();
        this.envs = new SingleEnv[n];
        this.rngs = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            envs[i] = envFactory.get();
        }
        this.stateSize = spec.observationSpace().get(DictSpace.STATE).tensorSpec().shape()[0];
        this.episodeSteps = new int[n];
        this.ended = new boolean[n];
        this.episodeIds = new long[n];
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public StepBatch reset(long seed) {
        int n = envs.length;
        Tensor state = Tensor.allocate(DType.FLOAT32, n, stateSize);
        float[] obs = new float[stateSize];
        boolean[] first = new boolean[n];
        for (int i = 0; i < n; i++) {
            rngs[i] = new SplittableRandom(seed + i);
            startEpisode(i, obs, state);
            first[i] = true;
        }
        return new StepBatch(NamedTensors.of(DictSpace.STATE, state), new float[n], new boolean[n], new boolean[n], first,
                episodeIds.clone());
    }

    @Override
    public StepBatch step(Tensor actions) {
        int n = envs.length;
        if (rngs[0] == null) {
            throw new IllegalStateException("step before reset");
        }
        spec.actionSpace().validateBatch(actions, n).ifPresent(problem -> {
            throw new IllegalArgumentException("invalid actions for " + spec.id() + ": " + problem);
        });
        int actionSize = spec.actionSpace() instanceof DiscreteSpace ? 1 : (int) spec.actionSpace().tensorSpec().numElements();
        Tensor state = Tensor.allocate(DType.FLOAT32, n, stateSize);
        float[] obs = new float[stateSize];
        float[] action = new float[actionSize];
        float[] rewards = new float[n];
        boolean[] terminated = new boolean[n];
        boolean[] truncated = new boolean[n];
        boolean[] first = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (ended[i]) {
                startEpisode(i, obs, state);
                first[i] = true;
                continue;
            }
            for (int j = 0; j < actionSize; j++) {
                action[j] = (float) actions.getDouble((long) i * actionSize + j);
            }
            rewards[i] = envs[i].step(action, obs);
            episodeSteps[i]++;
            terminated[i] = envs[i].terminated();
            truncated[i] = !terminated[i] && spec.maxEpisodeSteps() > 0 && episodeSteps[i] >= spec.maxEpisodeSteps();
            ended[i] = terminated[i] || truncated[i];
            copyRow(obs, state, i);
        }
        return new StepBatch(NamedTensors.of(DictSpace.STATE, state), rewards, terminated, truncated, first, episodeIds.clone());
    }

    private void startEpisode(int i, float[] obs, Tensor state) {
        envs[i].reset(rngs[i], obs);
        episodeSteps[i] = 0;
        ended[i] = false;
        episodeIds[i] = nextEpisodeId++;
        copyRow(obs, state, i);
    }

    private void copyRow(float[] obs, Tensor state, int i) {
        for (int j = 0; j < stateSize; j++) {
            state.setFloat((long) i * stateSize + j, obs[j]);
        }
    }

    /** Environment {@code i}, for tests that set its state. */
    SingleEnv env(int i) {
        return envs[i];
    }

    @Override
    public Optional<Tensor> renderFrame(int envIndex) {
        BufferedImage image = new BufferedImage(FRAME_WIDTH, FRAME_HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, FRAME_WIDTH, FRAME_HEIGHT);
            if (!envs[envIndex].draw(g, FRAME_WIDTH, FRAME_HEIGHT)) {
                return Optional.empty();
            }
        } finally {
            g.dispose();
        }
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Tensor rgb = Tensor.allocate(DType.UINT8, FRAME_HEIGHT, FRAME_WIDTH, 3);
        java.nio.ByteBuffer out = rgb.buffer();
        for (int p = 0; p < bgr.length; p += 3) {
            out.put(p, bgr[p + 2]).put(p + 1, bgr[p + 1]).put(p + 2, bgr[p]);
        }
        return Optional.of(rgb);
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
