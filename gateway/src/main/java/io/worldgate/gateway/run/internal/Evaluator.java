package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.FrameRenderer;
import io.worldgate.gateway.run.PlayedEpisode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Scores a run's agent: plays episodes with its evaluation policy on environments of their own
 * (created at the first evaluation and kept, so that training episodes are never cut short), and
 * films the first episode of the first environment at the first evaluation, every third after it,
 * and the last, which shows how the agent began and how it ended.
 */
public final class Evaluator implements AutoCloseable {
    static final int VIDEO_EVERY_EVALS = 3;
    static final int MAX_VIDEO_FRAMES = 500;
    // a simulator's camera may be large (dm_control's render_size is 256 by default): 500 such frames
    // would hold ~100 MB in memory and in the event file, so a long clip of large frames is cut short
    static final long MAX_VIDEO_BYTES = 64L << 20;
    // far from the training seeds (seed + step), so no evaluation replays a training episode's start
    private static final long SEED_STRIDE = 1_000_003L;

    private final IntFunction<VectorEnv> envs;
    private final int episodes;
    private final int maxEnvs;
    private final long seed;
    private VectorEnv env;
    private int count;

    /**
     * One evaluation.
     *
     * @param played the finished episodes (fewer than asked when the run was stopped)
     * @param video the filmed episode as {@code uint8 [T, H, W, 3]}, when this evaluation was filmed
     *     and the environment can be seen
     */
    public record Result(List<PlayedEpisode> played, Optional<Tensor> video) {
        /** The finished episodes' summaries. */
        public List<EpisodeSummary> episodes() {
            return played.stream().map(PlayedEpisode::summary).toList();
        }

        /** Mean return of the finished episodes; NaN when none finished. */
        public double meanReturn() {
            OptionalDouble mean = played.stream().mapToDouble(e -> e.summary().episodeReturn()).average();
            return mean.orElse(Double.NaN);
        }

        /** See {@link PlayedEpisode#meanInfos}: e.g. {@code success}, the success rate. */
        public Map<String, Double> meanInfos() {
            return PlayedEpisode.meanInfos(played);
        }
    }

    /**
     * @param envs creates {@code n} environments of the run's kind
     * @param episodes episodes per evaluation, played on up to {@code maxEnvs} environments at once
     */
    public Evaluator(IntFunction<VectorEnv> envs, int episodes, int maxEnvs, long seed) {
        this.envs = envs;
        this.episodes = Math.max(1, episodes);
        this.maxEnvs = Math.max(1, Math.min(this.episodes, maxEnvs));
        this.seed = seed;
    }

    /**
     * Plays this evaluation's episodes with {@code policy}.
     *
     * @param last whether this is the run's last evaluation (always filmed)
     * @param stopped turns true when the run is being stopped; the evaluation then ends early
     */
    public Result evaluate(Policy policy, boolean last, BooleanSupplier stopped) {
        count++;
        if (env == null) {
            env = envs.apply(maxEnvs);
        }
        boolean film = count % VIDEO_EVERY_EVALS == 1 || last;
        Camera camera = new Camera(env, film);
        try {
            List<PlayedEpisode> done = VectorEnvEpisodeRunner.play(env, policy, episodes, seed + SEED_STRIDE * count, stopped,
                    camera::record);
            return new Result(List.copyOf(done), camera.clip());
        } catch (RuntimeException e) {
            // the environments may be broken (a worker that gave up): the next evaluation starts new ones
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (env != null) {
            env.close();
            env = null;
        }
    }

    /** Collects the frames of environment 0's first episode: its image observation, or else its drawing. */
    private static final class Camera {
        private final VectorEnv env;
        private final List<Tensor> frames = new ArrayList<>();
        private long bytes;
        private boolean rolling;

        Camera(VectorEnv env, boolean rolling) {
            this.env = env;
            this.rolling = rolling;
        }

        void record(StepBatch observations) {
            if (!rolling) {
                return;
            }
            Optional<Tensor> frame = frameOf(observations);
            frame.ifPresent(f -> {
                frames.add(f);
                bytes += f.byteSize();
            });
            // the first episode's last frame is in; an environment that cannot be seen is not asked again
            rolling = frame.isPresent() && !observations.isLast(0) && frames.size() < MAX_VIDEO_FRAMES
                    && bytes + frame.get().byteSize() <= MAX_VIDEO_BYTES;
        }

        private Optional<Tensor> frameOf(StepBatch observations) {
            if (observations.observations().contains(DictSpace.IMAGE)) {
                return Optional.of(newestFrame(observations.observations().get(DictSpace.IMAGE).batchEntry(0)));
            }
            return env instanceof FrameRenderer renderer ? renderer.renderFrame(0) : Optional.empty();
        }

        /**
         * A copy of {@code image [H, W, C]}, or of its newest frame where it stacks RGB frames along
         * its channels (C = 3N with N > 1, oldest first, as dmc's {@code frame_stack} gives): a clip
         * holds frames that can be shown.
         */
        static Tensor newestFrame(Tensor image) {
            int[] shape = image.shape();
            int channels = shape.length == 3 ? shape[2] : 0;
            if (channels <= 3 || channels % 3 != 0) {
                return image.copy();
            }
            Tensor frame = Tensor.allocate(DType.UINT8, shape[0], shape[1], 3);
            ByteBuffer src = image.buffer();
            ByteBuffer dst = frame.buffer();
            for (int p = 0, pixels = shape[0] * shape[1]; p < pixels; p++) {
                src.position(p * channels + channels - 3).limit(p * channels + channels);
                dst.put(src);
                src.clear();
            }
            return frame;
        }

        Optional<Tensor> clip() {
            return frames.isEmpty() ? Optional.empty() : Optional.of(stack(frames));
        }

        /** Stacks {@code [H, W, C]} frames into one {@code [T, H, W, C]} tensor. */
        private static Tensor stack(List<Tensor> frames) {
            int[] frame = frames.get(0).shape();
            int[] shape = new int[frame.length + 1];
            shape[0] = frames.size();
            System.arraycopy(frame, 0, shape, 1, frame.length);
            Tensor out = Tensor.allocate(DType.UINT8, shape);
            ByteBuffer dst = out.buffer();
            frames.forEach(f -> dst.put(f.buffer()));
            return out;
        }
    }
}
