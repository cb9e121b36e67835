package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.ExperienceStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Drives an {@link ExperienceStore} the way a run does (observations after reset and step, actions
 * in between, auto-reset) over several environments with random episode lengths, and keeps its
 * own plain record of every step, to check what the store gives back.
 *
 * <p>Observations: {@code image} uint8 [4,4,3] with pixels derived from (env, position) and
 * {@code state} float32 [2] = (env, position), where position counts the steps of one environment.
 */
public final class ExperienceDriver {
    public static final EnvSpec SPEC_1 = spec(1);

    /** A step as the driver appended it, aligned as the store should return it. */
    public static final class Step {
        final byte[] image;
        final float[] state;
        float[] action = new float[2];
        final float reward;
        final boolean first;
        final boolean terminal;
        final boolean last;
        final long episode;

        Step(byte[] image, float[] state, float reward, boolean first, boolean terminal, boolean last, long episode) {
            this.image = image;
            this.state = state;
            this.reward = reward;
            this.first = first;
            this.terminal = terminal;
            this.last = last;
            this.episode = episode;
        }
    }

    /** A finished episode: environment, first position, length. */
    public record Finished(int env, int start, int length) {}

    private final int numEnvs;
    private final SplittableRandom rng;
    private final double endChance;
    private ExperienceStore store;
    private final List<List<Step>> steps = new ArrayList<>();
    private final List<Finished> finished = new ArrayList<>();
    private final boolean[] resetNext;
    private final int[] episodeStart;
    private long nextEpisode;
    private boolean started;

    public ExperienceDriver(ExperienceStore store, int numEnvs, long seed, double endChance) {
        this.store = store;
        this.numEnvs = numEnvs;
        this.rng = new SplittableRandom(seed);
        this.endChance = endChance;
        this.resetNext = new boolean[numEnvs];
        this.episodeStart = new int[numEnvs];
        for (int i = 0; i < numEnvs; i++) {
            steps.add(new ArrayList<>());
        }
        Arrays.fill(resetNext, true);
    }

    public static EnvSpec spec(int numEnvs) {
        Map<String, io.worldgate.api.space.Space> obs = new LinkedHashMap<>();
        obs.put("state", BoxSpace.uniform(DType.FLOAT32, -1e9, 1e9, 2));
        obs.put("image", BoxSpace.image(4, 4, 3));
        return new EnvSpec("test:driver", new DictSpace(obs), BoxSpace.uniform(DType.FLOAT32, -1e9, 1e9, 2), numEnvs, 0,
                Map.of());
    }

    static byte[] pixels(int env, int pos) {
        byte[] b = new byte[48];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (env * 31 + pos * 7 + k * 13);
        }
        return b;
    }

    /** Appends {@code n} agent steps (the first call begins with the reset observations). */
    public void run(int n) {
        if (!started) {
            observe();
            started = true;
        }
        for (int s = 0; s < n; s++) {
            float[] acts = new float[numEnvs * 2];
            for (int i = 0; i < numEnvs; i++) {
                acts[2 * i] = rng.nextInt(1000);
                acts[2 * i + 1] = -rng.nextInt(1000);
                List<Step> mine = steps.get(i);
                Step last = mine.get(mine.size() - 1);
                if (!last.last) {
                    last.action = new float[] {acts[2 * i], acts[2 * i + 1]};
                }
            }
            store.appendActions(Tensor.ofFloats(acts, numEnvs, 2));
            observe();
        }
    }

    private void observe() {
        byte[] images = new byte[numEnvs * 48];
        float[] states = new float[numEnvs * 2];
        float[] rewards = new float[numEnvs];
        boolean[] terminated = new boolean[numEnvs];
        boolean[] truncated = new boolean[numEnvs];
        boolean[] first = new boolean[numEnvs];
        long[] ids = new long[numEnvs];
        for (int i = 0; i < numEnvs; i++) {
            List<Step> mine = steps.get(i);
            int pos = mine.size();
            byte[] px = pixels(i, pos);
            System.arraycopy(px, 0, images, i * 48, 48);
            states[2 * i] = i;
            states[2 * i + 1] = pos;
            first[i] = resetNext[i];
            rewards[i] = first[i] ? 0.5f : rng.nextInt(100) / 4f; // a reset's reward must be stored as 0
            if (first[i]) {
                ids[i] = nextEpisode++;
                episodeStart[i] = pos;
            } else {
                ids[i] = mine.get(pos - 1).episode;
                if (rng.nextDouble() < endChance) {
                    if (rng.nextBoolean()) {
                        terminated[i] = true;
                    } else {
                        truncated[i] = true;
                    }
                }
            }
            boolean last = terminated[i] || truncated[i];
            mine.add(new Step(px, new float[] {i, pos}, first[i] ? 0 : rewards[i], first[i], terminated[i], last, ids[i]));
            if (last) {
                finished.add(new Finished(i, episodeStart[i], pos - episodeStart[i] + 1));
            }
            resetNext[i] = last;
        }
        Map<String, Tensor> obs = new LinkedHashMap<>();
        obs.put("state", Tensor.ofFloats(states, numEnvs, 2));
        obs.put("image", Tensor.ofBytes(images, numEnvs, 4, 4, 3));
        store.appendObservations(new StepBatch(NamedTensors.of(obs), rewards, terminated, truncated, first, ids));
    }

    /**
     * After a crash: keep only the first {@code kept[i]} steps of each environment (what was
     * recovered), continue with {@code reopened}, whose next observations are resets.
     */
    public void reopened(ExperienceStore reopened, int[] kept) {
        this.store = reopened;
        for (int i = 0; i < numEnvs; i++) {
            List<Step> mine = steps.get(i);
            mine.subList(kept[i], mine.size()).clear();
        }
        finished.removeIf(f -> f.start() + f.length() > kept[f.env()]);
        Arrays.fill(resetNext, true);
        started = false;
    }

    public int stepsOf(int env) {
        return steps.get(env).size();
    }

    public long totalSteps() {
        return steps.stream().mapToLong(List::size).sum();
    }

    public List<Finished> finished() {
        return finished;
    }

    /**
     * Checks every sequence of a sample against the record: each starts at a stored step at or
     * after {@code retainedStart[env]}, continues through the environment's later steps with the
     * right flags, and is padded with mask 0 past the last step.
     */
    public void verify(SequenceBatch b, long[] retainedStart) {
        int length = b.length();
        Tensor state = b.observations().get("state");
        Tensor image = b.observations().get("image");
        for (int row = 0; row < b.batchSize(); row++) {
            long k0 = (long) row * length;
            assertThat(b.mask().getFloat(k0)).as("first step of a sequence is real").isEqualTo(1f);
            int env = (int) state.getFloat(2 * k0);
            int pos = (int) state.getFloat(2 * k0 + 1);
            assertThat(pos).as("sampled position").isGreaterThanOrEqualTo((int) retainedStart[env]);
            List<Step> mine = steps.get(env);
            for (int t = 0; t < length; t++) {
                long k = k0 + t;
                if (pos + t >= mine.size()) {
                    assertThat(b.mask().getFloat(k)).isZero();
                    assertThat(b.rewards().getFloat(k)).isZero();
                    assertThat(state.getFloat(2 * k + 1)).isZero();
                    continue;
                }
                Step s = mine.get(pos + t);
                String at = "env " + env + " position " + (pos + t);
                assertThat(b.mask().getFloat(k)).as(at).isEqualTo(1f);
                assertThat(state.getFloat(2 * k)).as(at).isEqualTo(s.state[0]);
                assertThat(state.getFloat(2 * k + 1)).as(at).isEqualTo(s.state[1]);
                byte[] px = new byte[48];
                image.buffer().get((int) (k * 48), px);
                assertThat(px).as(at).isEqualTo(s.image);
                assertThat(b.actions().getFloat(2 * k)).as(at).isEqualTo(s.action[0]);
                assertThat(b.actions().getFloat(2 * k + 1)).as(at).isEqualTo(s.action[1]);
                assertThat(b.rewards().getFloat(k)).as(at).isEqualTo(s.reward);
                assertThat(b.isFirst().getFloat(k)).as(at + " isFirst").isEqualTo(s.first ? 1f : 0f);
                assertThat(b.isTerminal().getFloat(k)).as(at + " isTerminal").isEqualTo(s.terminal ? 1f : 0f);
            }
        }
    }

    /** Checks {@code episodes} against the last finished episodes still stored whole. */
    public void verifyEpisodes(List<Episode> episodes, int max, long[] retainedStart) {
        List<Finished> stored = finished.stream().filter(f -> f.start() >= retainedStart[f.env()]).toList();
        List<Finished> expected = stored.subList(Math.max(0, stored.size() - max), stored.size());
        assertThat(episodes).hasSize(expected.size());
        for (int e = 0; e < episodes.size(); e++) {
            Episode ep = episodes.get(e);
            Finished f = expected.get(e);
            List<Step> mine = steps.get(f.env()).subList(f.start(), f.start() + f.length());
            assertThat(ep.length()).isEqualTo(f.length());
            assertThat(ep.id()).isEqualTo(mine.get(0).episode);
            assertThat(ep.terminated()).isEqualTo(mine.get(f.length() - 1).terminal);
            for (int t = 0; t < f.length(); t++) {
                Step s = mine.get(t);
                assertThat(ep.observations().get("state").getFloat(2L * t + 1)).isEqualTo(s.state[1]);
                byte[] px = new byte[48];
                ep.observations().get("image").buffer().get(t * 48, px);
                assertThat(px).isEqualTo(s.image);
                assertThat(ep.actions().getFloat(2L * t)).isEqualTo(s.action[0]);
                assertThat(ep.rewards().getFloat(t)).isEqualTo(s.reward);
            }
        }
    }

    /** Number of episodes with at least one step at or after {@code retainedStart}. */
    public int episodesStored(long[] retainedStart) {
        int n = 0;
        for (int i = 0; i < numEnvs; i++) {
            List<Step> mine = steps.get(i);
            for (int p = (int) retainedStart[i]; p < mine.size(); p++) {
                if (mine.get(p).first || p == retainedStart[i]) {
                    n++;
                }
            }
        }
        return n;
    }

    public long[] nothingDropped() {
        return new long[numEnvs];
    }
}
