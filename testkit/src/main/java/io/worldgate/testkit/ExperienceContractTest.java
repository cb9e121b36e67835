package io.worldgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Experience} must do with the requests of its 1.1 API (slicing, selectors,
 * frames, episode iteration), checked against expectations derived by hand from a fixed script
 * of one environment's steps. A subclass says how to make an experience holding a script:
 *
 * <pre>{@code
 * class MyExperienceContractTest extends ExperienceContractTest {
 *     protected Experience experienceOf(List<ScriptStep> steps) { ... }
 * }
 * }</pre>
 *
 * <p>Each step's observation {@code state} is its value and {@code pixels} ({@value #PIXELS}
 * bytes) holds the value modulo 256 in every byte, so where a sample came from can be read off.
 */
public abstract class ExperienceContractTest {
    /** Bytes of the {@code pixels} observation. */
    public static final int PIXELS = 4096;
    /** The observations of the script: {@code state} float32 {@code [1]} and {@code pixels} uint8 {@code [PIXELS]}. */
    public static final Map<String, TensorSpec> OBSERVATIONS = observationSpecs();
    /** The action: one int32 (a discrete space of 10). */
    public static final TensorSpec ACTION = new TensorSpec(DType.INT32, new int[0]);

    /**
     * One step of the script, aligned as {@link Experience} says.
     *
     * @param value the step's observations (see the class comment)
     * @param reward received on arriving at the step (ignored at a first step, which stores 0)
     * @param first whether an episode begins here
     * @param terminal whether the episode terminates here
     * @param truncated whether the episode is cut short here
     * @param episode the episode's id
     * @param action the action taken at the step (none at the last step of an episode)
     */
    public record ScriptStep(float value, float reward, boolean first, boolean terminal, boolean truncated, long episode,
            int action) {
        /** Whether the episode ends here. */
        public boolean last() {
            return terminal || truncated;
        }

        /** The step's observations, each of the shape of {@link #OBSERVATIONS} (no batch dimension). */
        public Map<String, Tensor> observations() {
            Tensor pixels = Tensor.allocate(DType.UINT8, PIXELS);
            byte b = (byte) ((int) value % 256);
            for (int i = 0; i < PIXELS; i++) {
                pixels.buffer().put(i, b);
            }
            Map<String, Tensor> obs = new LinkedHashMap<>();
            obs.put("state", Tensor.ofFloats(new float[] {value}, 1));
            obs.put("pixels", pixels);
            return obs;
        }

        /** The action as a tensor of {@link #ACTION}'s shape. */
        public Tensor actionTensor() {
            return Tensor.ofInts(new int[] {action});
        }
    }

    /** An experience holding {@code steps} of one environment, appended in order. */
    protected abstract Experience experienceOf(List<ScriptStep> steps);

    /**
     * Whether {@link Experience#forEachEpisode} may copy the episodes of {@link #episodes(int...)}
     * (true only for fakes; the host's stores hand out views).
     */
    protected boolean episodeIterationCopies() {
        return false;
    }

    /**
     * Episodes of the given lengths, one after another: every one but the last finished, the
     * first terminated and the others truncated; step values 0, 1, 2, ... over all of them; the
     * action at a step is its value modulo 10 (none at the last step of a finished episode).
     */
    public static List<ScriptStep> episodes(boolean lastFinished, int... lengths) {
        List<ScriptStep> steps = new ArrayList<>();
        int value = 0;
        for (int e = 0; e < lengths.length; e++) {
            boolean finished = e < lengths.length - 1 || lastFinished;
            for (int t = 0; t < lengths[e]; t++, value++) {
                boolean last = finished && t == lengths[e] - 1;
                steps.add(new ScriptStep(value, t == 0 ? 0 : value, t == 0, last && e == 0, last && e > 0, e,
                        last ? 0 : value % 10));
            }
        }
        return steps;
    }

    /** Episode 0: steps 0-4 (terminal); episode 1: 5-6 (truncated); episode 2: 7-12, unfinished. */
    private Experience threeEpisodes() {
        return experienceOf(episodes(false, 5, 2, 6));
    }

    private static float value(SequenceBatch b, long k) {
        return b.observations().get("state").getFloat(k);
    }

    @Test
    public void withinEpisodeSlicesStayInsideOneEpisode() {
        Experience e = threeEpisodes();
        int n = 7000;
        SequenceBatch b = e.sampleSequences(SampleRequest.of(n, 3).withSlicing(Slicing.WITHIN_EPISODE), new SplittableRandom(1));
        // Slices of 3 that fit: starts 0, 1, 2 (episode 0) and 7, 8, 9, 10 (episode 2); episode 1 is too short.
        Map<Integer, Integer> starts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            int start = (int) value(b, 3L * i);
            starts.merge(start, 1, Integer::sum);
            for (int t = 0; t < 3; t++) {
                long k = 3L * i + t;
                assertThat(value(b, k)).isEqualTo(start + t);
                assertThat(b.mask().getFloat(k)).isEqualTo(1f);
                assertThat(b.isFirst().getFloat(k)).isEqualTo(t == 0 && (start == 0 || start == 7) ? 1f : 0f);
                assertThat(b.isTerminal().getFloat(k)).isEqualTo(start + t == 4 ? 1f : 0f);
            }
        }
        assertThat(starts.keySet()).containsExactlyInAnyOrder(0, 1, 2, 7, 8, 9, 10);
        // Uniform over the 7 starts: 1000 each expected, standard deviation 29.
        starts.values().forEach(c -> assertThat(c).isBetween(850, 1150));
    }

    @Test
    public void paddedSlicesStopAtTheEndOfTheirEpisode() {
        Experience e = threeEpisodes();
        SequenceBatch b = e.sampleSequences(SampleRequest.of(2000, 4).withSlicing(Slicing.WITHIN_EPISODE_PADDED),
                new SplittableRandom(2));
        Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int start = (int) value(b, 4L * i);
            seen.add(start);
            int end = start <= 4 ? 4 : start <= 6 ? 6 : 12; // last stored step of the start's episode
            for (int t = 0; t < 4; t++) {
                long k = 4L * i + t;
                boolean real = start + t <= end;
                assertThat(b.mask().getFloat(k)).isEqualTo(real ? 1f : 0f);
                assertThat(value(b, k)).isEqualTo(real ? start + t : 0f);
                assertThat(b.isFirst().getFloat(k)).isEqualTo(t == 0 && (start == 0 || start == 5 || start == 7) ? 1f : 0f);
            }
        }
        assertThat(seen).hasSize(13);
    }

    @Test
    public void withinEpisodeSlicesLongerThanEveryEpisodeAreRefused() {
        Experience e = threeEpisodes();
        assertThatThrownBy(() -> e.sampleSequences(SampleRequest.of(1, 7).withSlicing(Slicing.WITHIN_EPISODE),
                new SplittableRandom(3))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void theDefaultRequestIsTheVersionOneSampling() {
        Experience e = threeEpisodes();
        SequenceBatch v1 = e.sampleSequences(32, 5, new SplittableRandom(4));
        SequenceBatch v2 = e.sampleSequences(SampleRequest.of(32, 5), new SplittableRandom(4));
        assertThat(v2.observations().get("state").toFloatArray()).containsExactly(v1.observations().get("state").toFloatArray());
        assertThat(v2.isFirst().toFloatArray()).containsExactly(v1.isFirst().toFloatArray());
        assertThat(v2.mask().toFloatArray()).containsExactly(v1.mask().toFloatArray());
        assertThat(v2.actions().toIntArray()).containsExactly(v1.actions().toIntArray());
        // and it crosses: some sequence holds the first step of an episode after position 0
        boolean crossed = false;
        for (int i = 0; i < 32; i++) {
            for (int t = 1; t < 5; t++) {
                crossed |= v1.isFirst().getFloat(5L * i + t) == 1f && v1.mask().getFloat(5L * i + t) == 1f;
            }
        }
        assertThat(crossed).isTrue();
    }

    /**
     * 20 steps, one per append; half-life 4 appends: step {@code i} has weight
     * {@code 2^(-(19 - i) / 4)}. Pearson's chi-square over the 20 steps, 19 degrees of freedom,
     * stays below 43.82 (its 99.9th percentile) for the recency draw, and far above it for a
     * uniform one.
     */
    @Test
    public void recencyDrawsStepsWithTheirWeights() {
        Experience e = experienceOf(episodes(false, 20));
        int n = 20_000;
        Selector.Recency recency = new Selector.Recency(4);
        double[] expected = new double[20];
        double sum = 0;
        for (int i = 0; i < 20; i++) {
            expected[i] = recency.weight(19 - i);
            sum += expected[i];
        }
        for (int i = 0; i < 20; i++) {
            expected[i] *= n / sum;
        }
        double recent = chiSquare(e.sampleFrames(n, List.of("state"), recency, new SplittableRandom(5)), expected);
        double uniform = chiSquare(e.sampleFrames(n, List.of("state"), new SplittableRandom(5)), expected);
        assertThat(recent).isLessThan(43.82);
        assertThat(uniform).isGreaterThan(1000);
        SequenceBatch seqs = e.sampleSequences(SampleRequest.of(n, 1).withSelector(recency), new SplittableRandom(6));
        assertThat(chiSquare(NamedTensors.of("state", seqs.observations().get("state").reshape(n, 1)), expected)).isLessThan(43.82);
    }

    /**
     * Half-life 2 appends, sequences of 8: the recency age of a start counts from the newest
     * start with 8 stored steps after it, so crossing sequences are full (not mostly padding) and
     * slices inside the long unfinished episode are found, even of 48 steps (a start of age 47
     * from the newest step would be drawn once in ~10^7).
     */
    @Test
    public void recencySequencesCountAgeFromTheNewestFullStart() {
        Experience e = experienceOf(episodes(false, 30, 60)); // steps 0-29 (terminal), 30-89 (unfinished)
        Selector recency = Selector.recency(2);
        int n = 4000;
        SequenceBatch cross = e.sampleSequences(SampleRequest.of(n, 8).withSelector(recency), new SplittableRandom(10));
        int newestStarts = 0;
        for (int i = 0; i < n; i++) {
            int start = (int) value(cross, 8L * i);
            assertThat(start).isLessThanOrEqualTo(82);
            newestStarts += start == 82 ? 1 : 0;
            for (int t = 0; t < 8; t++) {
                assertThat(cross.mask().getFloat(8L * i + t)).as("mask of sequence %d at %d", i, t).isEqualTo(1f);
            }
        }
        // age 0 has probability 1 - 2^(-1/2) = 0.293: 1172 expected, standard deviation 29
        assertThat(newestStarts).isBetween(1050, 1300);
        SequenceBatch within = e.sampleSequences(SampleRequest.of(200, 48).withSlicing(Slicing.WITHIN_EPISODE)
                .withSelector(recency), new SplittableRandom(11));
        for (int i = 0; i < 200; i++) {
            int start = (int) value(within, 48L * i);
            assertThat(start).isBetween(30, 42);
            assertThat(within.mask().getFloat(48L * i + 47)).isEqualTo(1f);
        }
    }

    private static double chiSquare(NamedTensors frames, double[] expected) {
        long[] counts = new long[expected.length];
        float[] values = frames.get("state").toFloatArray();
        for (float v : values) {
            counts[(int) v]++;
        }
        double chi = 0;
        for (int i = 0; i < expected.length; i++) {
            chi += (counts[i] - expected[i]) * (counts[i] - expected[i]) / expected[i];
        }
        return chi;
    }

    @Test
    public void framesAreStoredStepsOfTheAskedObservations() {
        Experience e = threeEpisodes();
        NamedTensors frames = e.sampleFrames(64, List.of("pixels"), new SplittableRandom(7));
        assertThat(frames.names()).containsExactly("pixels");
        Tensor pixels = frames.get("pixels");
        assertThat(pixels.dtype()).isEqualTo(DType.UINT8);
        assertThat(pixels.shape()).containsExactly(64, PIXELS);
        for (int i = 0; i < 64; i++) {
            int v = pixels.buffer().get(i * PIXELS) & 0xff;
            assertThat(v).isBetween(0, 12);
            for (int j = 0; j < PIXELS; j += 509) {
                assertThat(pixels.buffer().get(i * PIXELS + j) & 0xff).isEqualTo(v);
            }
        }
        NamedTensors both = e.sampleFrames(8, List.of("state", "pixels"), Selector.recency(2), new SplittableRandom(8));
        assertThat(both.get("state").shape()).containsExactly(8, 1);
        assertThatThrownBy(() -> e.sampleFrames(1, List.of("nope"), new SplittableRandom(9)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> experienceOf(List.of()).sampleFrames(1, List.of("state"), new SplittableRandom(9)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void episodesAreVisitedOldestFirstWithTheirIdsAndSteps() {
        Experience e = threeEpisodes();
        List<Episode> seen = new ArrayList<>();
        e.forEachEpisode(ep -> seen.add(copy(ep)));
        assertThat(seen).extracting(Episode::id).containsExactly(0L, 1L);
        assertThat(seen).extracting(Episode::length).containsExactly(5, 2);
        assertThat(seen).extracting(Episode::terminated).containsExactly(true, false);
        assertThat(seen.get(0).observations().get("state").toFloatArray()).containsExactly(0, 1, 2, 3, 4);
        assertThat(seen.get(1).observations().get("state").toFloatArray()).containsExactly(5, 6);
        assertThat(seen.get(1).observations().get("pixels").shape()).containsExactly(2, PIXELS);
        assertThat(seen.get(0).rewards().toFloatArray()).containsExactly(0, 1, 2, 3, 4);
        assertThat(seen.get(1).rewards().toFloatArray()).containsExactly(0, 6);
        assertThat(seen.get(0).actions().toIntArray()).containsExactly(0, 1, 2, 3, 0);
        assertThat(seen.get(1).actions().toIntArray()).containsExactly(5, 0);
    }

    /**
     * Visiting 3 finished episodes of 40 steps ({@value #PIXELS} bytes of pixels each: 480 KiB)
     * allocates less direct memory than one episode's pixels (160 KiB): the episodes are views,
     * not copies (every tensor a copy would make is direct). It reads the process-wide direct
     * buffer pool, so it holds only while no other test allocates direct memory at the same time:
     * safe because the build runs tests serially (JUnit's parallel execution is not enabled).
     */
    @Test
    public void episodesAreVisitedWithoutCopies() {
        Experience e = experienceOf(episodes(true, 40, 40, 40));
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        long[] grew = {0};
        long before = direct.getMemoryUsed();
        int[] visited = {0};
        float[] firstPixels = new float[3];
        boolean[] readOnly = {true};
        e.forEachEpisode(ep -> {
            grew[0] = Math.max(grew[0], direct.getMemoryUsed() - before);
            firstPixels[visited[0]++] = ep.observations().get("pixels").buffer().get(0);
            readOnly[0] &= ep.observations().get("pixels").buffer().isReadOnly();
        });
        assertThat(visited[0]).isEqualTo(3);
        assertThat(firstPixels).containsExactly(0, 40, 80);
        if (!episodeIterationCopies()) {
            assertThat(grew[0]).as("direct bytes allocated while visiting").isLessThan(40L * PIXELS);
            assertThat(readOnly[0]).as("the views are read-only").isTrue();
        }
    }

    private static Episode copy(Episode ep) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        ep.observations().asMap().forEach((k, v) -> obs.put(k, v.copy()));
        return new Episode(ep.id(), NamedTensors.of(obs), ep.actions().copy(), ep.rewards().copy(), ep.terminated());
    }

    private static Map<String, TensorSpec> observationSpecs() {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        specs.put("state", new TensorSpec(DType.FLOAT32, new int[] {1}));
        specs.put("pixels", new TensorSpec(DType.UINT8, new int[] {PIXELS}));
        return java.util.Collections.unmodifiableMap(specs);
    }
}
