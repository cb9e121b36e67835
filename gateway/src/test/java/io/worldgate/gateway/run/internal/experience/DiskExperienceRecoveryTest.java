package io.worldgate.gateway.run.internal.experience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.internal.ExperienceDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crashes, reopening, capacity and the mapping window of the disk store. */
class DiskExperienceRecoveryTest {
    private static final DiskExperience.Options CHUNKS_OF_8 = DiskExperience.Options.defaults().withChunkSteps(8);

    @TempDir
    Path tmp;

    private final List<DiskExperience> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(DiskExperience::close);
    }

    private DiskExperience open(Path dir, int envs, DiskExperience.Options options) {
        DiskExperience e = DiskExperience.open(dir, ExperienceDriver.spec(envs), options);
        opened.add(e);
        return e;
    }

    /** What a kill -9 leaves: the files as they are now, without close or flush. */
    private Path crashCopy(Path dir) throws IOException {
        Path copy = tmp.resolve("crashed-" + opened.size());
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        return copy;
    }

    private static List<Path> chunkFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".chunk")).sorted().toList();
        }
    }

    private static long[] retained(DiskExperience e, int envs) {
        long[] r = new long[envs];
        for (int i = 0; i < envs; i++) {
            r[i] = e.retainedStart(i);
        }
        return r;
    }

    private static void verifyAll(DiskExperience e, ExperienceDriver d, int envs) {
        long[] r = retained(e, envs);
        long stored = 0;
        for (int i = 0; i < envs; i++) {
            stored += d.stepsOf(i) - r[i];
        }
        assertThat(e.numSteps()).isEqualTo(stored);
        assertThat(e.numEpisodes()).isEqualTo(d.episodesStored(r));
        SplittableRandom rng = new SplittableRandom(17);
        for (int i = 0; i < 10; i++) {
            d.verify(e.sampleSequences(16, 12, rng), r);
        }
        d.verifyEpisodes(e.recentEpisodes(3), 3, r);
        d.verifyEpisodes(e.recentEpisodes(10_000), 10_000, r);
    }

    @Test
    void sampledTensorsEqualWhatWasAppendedAcrossManyChunks() {
        DiskExperience e = open(tmp.resolve("x"), 4, DiskExperience.Options.defaults().withChunkSteps(5));
        ExperienceDriver d = new ExperienceDriver(e, 4, 21, 0.08);
        d.run(123);
        verifyAll(e, d, 4);
        assertThat(e.storedBytes()).isPositive();
    }

    @Test
    void closeAndReopenRestoresEveryStep() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 2, CHUNKS_OF_8);
        ExperienceDriver d = new ExperienceDriver(e, 2, 5, 0.1);
        d.run(45);
        e.close();
        DiskExperience r = open(dir, 2, CHUNKS_OF_8);
        assertThat(r.recovery().steps()).isEqualTo(92);
        assertThat(r.recovery().tornChunkDropped()).isFalse();
        assertThat(r.recovery().finishedEpisodes()).isEqualTo(d.finished().size());
        verifyAll(r, d, 2);
        assertThat(Files.readString(dir.resolve(DiskExperience.LAYOUT_FILE))).contains("obs.image=UINT8[4,4,3]");
    }

    @Test
    void aCrashMidChunkLosesOnlyTheUnwrittenChunkOfEachEnvironment() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 3, CHUNKS_OF_8);
        ExperienceDriver d = new ExperienceDriver(e, 3, 8, 0.05);
        d.run(50); // 51 steps per environment: 6 chunks of 8 written, 3 steps staging
        Path crashed = crashCopy(dir);

        DiskExperience r = open(crashed, 3, CHUNKS_OF_8);
        assertThat(r.recovery().steps()).isEqualTo(3 * 48);
        assertThat(r.recovery().chunks()).isEqualTo(18);
        assertThat(r.recovery().tornChunkDropped()).isFalse();
        d.reopened(r, new int[] {48, 48, 48});
        verifyAll(r, d, 3);

        // The resumed run goes on: its resets start new episodes right after the recovered steps.
        d.run(30);
        verifyAll(r, d, 3);
        SequenceBatch b = r.sampleSequences(1, 1, new SplittableRandom(1));
        assertThat(b.mask().getFloat(0)).isEqualTo(1f);
        r.close();
        DiskExperience again = open(crashed, 3, CHUNKS_OF_8);
        assertThat(again.recovery().steps()).isEqualTo(d.totalSteps());
        d.reopened(again, new int[] {d.stepsOf(0), d.stepsOf(1), d.stepsOf(2)});
        verifyAll(again, d, 3);
    }

    @Test
    void aTruncatedLastChunkIsDroppedAndReported() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 2, CHUNKS_OF_8);
        ExperienceDriver d = new ExperienceDriver(e, 2, 9, 0.1);
        d.run(40); // 41 steps per environment: 5 chunks each written
        Path crashed = crashCopy(dir);
        List<Path> files = chunkFiles(crashed);
        assertThat(files).hasSize(10);
        Path last = files.get(files.size() - 1); // the newest chunk, as a crash during its write would leave it
        int env = Integer.parseInt(last.getFileName().toString().replaceAll(".*-env(\\d+)\\.chunk", "$1"));
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }

        DiskExperience r = open(crashed, 2, CHUNKS_OF_8);
        assertThat(r.recovery().tornChunkDropped()).isTrue();
        assertThat(r.recovery().droppedChunks()).isEqualTo(1);
        assertThat(r.recovery().problems().get(0)).contains(last.getFileName() + ".torn").contains("torn write");
        assertThat(r.recovery().steps()).isEqualTo(80 - 8);
        assertThat(r.recovery().toString()).contains("recovered 72 steps").contains("dropped 1 torn chunk");
        assertThat(Files.exists(crashed.resolve(last.getFileName() + ".torn"))).isTrue();
        int[] kept = {40, 40};
        kept[env] = 32;
        d.reopened(r, kept);
        verifyAll(r, d, 2);
        d.run(10);
        verifyAll(r, d, 2);
    }

    @Test
    void aCorruptedChunkFailsItsChecksumAndLeavesAGapReadAsANewEpisode() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 1, CHUNKS_OF_8);
        ExperienceDriver d = new ExperienceDriver(e, 1, 4, 0.0); // one long episode
        d.run(40);
        e.close();
        Path second = chunkFiles(dir).get(1); // steps 8..15
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, ch.size() - 7);
            one.put(0, (byte) (one.get(0) ^ 0x10)).clear();
            ch.write(one, ch.size() - 7);
        }
        DiskExperience r = open(dir, 1, CHUNKS_OF_8);
        assertThat(r.recovery().droppedChunks()).isEqualTo(1);
        assertThat(r.recovery().problems().get(0)).contains("checksum");
        assertThat(r.numSteps()).isEqualTo(41 - 8);
        assertThat(r.numEpisodes()).isEqualTo(2); // the episode's head, and its tail after the gap
        SequenceBatch b = r.sampleSequences(500, 12, new SplittableRandom(2));
        boolean crossedGap = false;
        for (int row = 0; row < 500; row++) {
            float prev = -1;
            for (int t = 0; t < 12; t++) {
                long k = row * 12L + t;
                if (b.mask().getFloat(k) == 0) {
                    continue;
                }
                float pos = b.observations().get("state").getFloat(2 * k + 1);
                assertThat(pos < 8 || pos > 15).as("position %s is in the dropped chunk", pos).isTrue();
                assertThat(b.isFirst().getFloat(k)).isEqualTo(pos == 0 || pos == 16 ? 1f : 0f);
                if (prev >= 0) {
                    assertThat(pos).isEqualTo(prev == 7 ? 16 : prev + 1);
                    crossedGap |= prev == 7;
                }
                prev = pos;
            }
        }
        assertThat(crossedGap).isTrue();
    }

    @Test
    void anUnfinishedPartFileIsDeletedAndReported() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 1, CHUNKS_OF_8);
        new ExperienceDriver(e, 1, 4, 0.1).run(20);
        Path crashed = crashCopy(dir);
        Files.write(crashed.resolve("000000000099-env0000.chunk.part"), new byte[300]);
        DiskExperience r = open(crashed, 1, CHUNKS_OF_8);
        assertThat(r.recovery().tornChunkDropped()).isTrue();
        assertThat(r.recovery().problems()).singleElement().asString().contains("unfinished write");
        assertThat(r.recovery().steps()).isEqualTo(16);
        assertThat(Files.exists(crashed.resolve("000000000099-env0000.chunk.part"))).isFalse();
    }

    @Test
    void flushMakesTheStagingStepsSurviveACrash() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 2, CHUNKS_OF_8);
        ExperienceDriver d = new ExperienceDriver(e, 2, 6, 0.1);
        d.run(12); // 13 steps per environment: 8 written, 5 staging
        e.flush();
        d.run(1);
        e.flush(); // rewrites the staging chunks with the action of the step before and the new step
        Path crashed = crashCopy(dir);
        DiskExperience r = open(crashed, 2, CHUNKS_OF_8);
        assertThat(r.recovery().steps()).isEqualTo(28);
        d.reopened(r, new int[] {14, 14});
        verifyAll(r, d, 2);
        d.run(20); // a flushed, short chunk is followed by new chunks
        verifyAll(r, d, 2);
    }

    @Test
    void theCapacityDropsTheOldestChunksFirst() throws IOException {
        Path dir = tmp.resolve("x");
        DiskExperience e = open(dir, 2, DiskExperience.Options.defaults().withChunkSteps(4).withMaxSteps(40));
        ExperienceDriver d = new ExperienceDriver(e, 2, 12, 0.15);
        d.run(100); // 202 steps
        assertThat(e.numSteps()).isBetween(33L, 40L);
        long[] r = retained(e, 2);
        for (int i = 0; i < 2; i++) {
            assertThat(r[i]).isGreaterThan(101 - 40);
            assertThat(d.stepsOf(i) - r[i]).isLessThanOrEqualTo(28);
        }
        verifyAll(e, d, 2);
        // Only the stored chunks remain on disk.
        List<Path> files = chunkFiles(dir);
        long bytes = 0;
        for (Path p : files) {
            bytes += Files.size(p);
        }
        assertThat(bytes).isEqualTo(e.storedBytes());
        assertThat(files.size()).isLessThanOrEqualTo(10);

        // A byte capacity, applied when reopening.
        e.close();
        long perChunk = Files.size(files.get(0));
        DiskExperience small = open(dir, 2, DiskExperience.Options.defaults().withChunkSteps(4).withMaxBytes(3 * perChunk));
        assertThat(small.storedBytes()).isLessThanOrEqualTo(3 * perChunk);
        assertThat(chunkFiles(dir)).hasSizeLessThanOrEqualTo(3);
        verifyAll(small, d, 2);
    }

    /**
     * After the capacity dropped old chunks and the store was reopened (tick ranges read back
     * from the chunks), slices inside one episode still equal what was appended and stay in one
     * episode, and recency draws follow their weights over the steps still stored: 2 environments
     * appended at ticks 0..299, so step {@code pos} has age {@code 299 - pos}; half-life 20.
     * Pearson's chi-square over ages in bins of 10 stays below the 99.9th percentile of its
     * distribution.
     */
    @Test
    void slicesAndRecencyAfterCapacityAndReopening() {
        Path dir = tmp.resolve("x");
        DiskExperience.Options options = CHUNKS_OF_8.withMaxSteps(160);
        DiskExperience e = open(dir, 2, options);
        ExperienceDriver d = new ExperienceDriver(e, 2, 21, 0.05);
        d.run(299); // 300 steps per environment
        e.close();
        DiskExperience r = open(dir, 2, options);
        long[] kept = retained(r, 2);
        assertThat(kept[0] + kept[1]).as("the capacity dropped chunks").isPositive();

        SequenceBatch slices = r.sampleSequences(SampleRequest.of(500, 5).withSlicing(Slicing.WITHIN_EPISODE), new SplittableRandom(1));
        d.verify(slices, kept);
        for (int i = 0; i < 500; i++) {
            for (int t = 0; t < 5; t++) {
                assertThat(slices.mask().getFloat(5L * i + t)).isEqualTo(1f);
                if (t > 0) {
                    assertThat(slices.isFirst().getFloat(5L * i + t)).isZero();
                }
            }
        }

        Selector.Recency recency = new Selector.Recency(20);
        int n = 20_000;
        int bins = 8; // ages 0-9, 10-19, ..., 70 and older
        double[] expected = new double[bins];
        double sum = 0;
        for (int env = 0; env < 2; env++) {
            for (long pos = kept[env]; pos < 300; pos++) {
                expected[(int) Math.min(bins - 1, (299 - pos) / 10)] += recency.weight(299 - pos);
                sum += recency.weight(299 - pos);
            }
        }
        long[] counts = new long[bins];
        Tensor state = r.sampleFrames(n, List.of("state"), recency, new SplittableRandom(2)).get("state");
        for (int i = 0; i < n; i++) {
            int env = (int) state.getFloat(2L * i);
            long pos = (long) state.getFloat(2L * i + 1);
            assertThat(pos).isGreaterThanOrEqualTo(kept[env]);
            counts[(int) Math.min(bins - 1, (299 - pos) / 10)]++;
        }
        double chi = 0;
        for (int b = 0; b < bins; b++) {
            double x = n * expected[b] / sum;
            chi += (counts[b] - x) * (counts[b] - x) / x;
        }
        assertThat(chi).as("chi-square, 7 degrees of freedom (99.9th percentile 24.3)").isLessThan(24.3);
    }

    @Test
    void aSmallMappingWindowStillReadsEverything() {
        DiskExperience e = open(tmp.resolve("x"), 3, DiskExperience.Options.defaults().withChunkSteps(4).withMaxMappedBytes(1000));
        ExperienceDriver d = new ExperienceDriver(e, 3, 13, 0.1);
        d.run(60);
        verifyAll(e, d, 3);
        assertThat(e.mappedBytes()).isLessThanOrEqualTo(1000);
    }

    /**
     * Views handed out by forEachEpisode keep their mappings to the collector, but only those
     * mappings: once they have been dropped, the chunks' later mappings are unmapped at once.
     */
    @Test
    void chunksMappedAgainAfterEpisodeViewsAreUnmappedAtOnce() {
        DiskExperience e = open(tmp.resolve("x"), 3, DiskExperience.Options.defaults().withChunkSteps(4).withMaxMappedBytes(1000));
        ExperienceDriver d = new ExperienceDriver(e, 3, 13, 0.1);
        d.run(60);
        int[] visited = {0};
        e.forEachEpisode(ep -> visited[0]++);
        assertThat(visited[0]).isGreaterThan(3);
        assertThat(e.mappingsLeftToCollector()).as("exposed mappings dropped during the visit").isPositive();
        // a full eviction cycle: every chunk mapped (and the visit's mappings dropped) at least once
        e.sampleFrames(2000, List.of("state"), new SplittableRandom(3));
        long afterCycle = e.mappingsLeftToCollector();
        e.sampleFrames(2000, List.of("state"), new SplittableRandom(4));
        assertThat(e.mappingsLeftToCollector()).as("mappings left to the collector after re-mapping").isEqualTo(afterCycle);
        assertThat(e.mappedBytes()).isLessThanOrEqualTo(1000);
    }

    @Test
    void experienceOfOtherObservationsIsRefused() {
        Path dir = tmp.resolve("x");
        open(dir, 1, CHUNKS_OF_8).close();
        EnvSpec other = new EnvSpec("test:other", new DictSpace(Map.of("state", BoxSpace.uniform(DType.FLOAT32, -1, 1, 3))),
                new DiscreteSpace(4), 1, 0, Map.of());
        assertThatThrownBy(() -> DiskExperience.open(dir, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("obs.state=FLOAT32[3]");
    }

    @Test
    void aFolderIsOpenInOneStoreAtATime() {
        Path dir = tmp.resolve("x");
        DiskExperience first = open(dir, 1, CHUNKS_OF_8);
        assertThatThrownBy(() -> DiskExperience.open(dir, ExperienceDriver.spec(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open in another store");
        first.close();
        open(dir, 1, CHUNKS_OF_8);
    }

    @Test
    void theRunDirectoryHoldsTheExperienceFolder() {
        DiskExperience e = DiskExperience.forRun(tmp.resolve("runs").resolve("r1"), ExperienceDriver.spec(1));
        opened.add(e);
        assertThat(e.directory()).isEqualTo(tmp.resolve("runs").resolve("r1").resolve("experience"));
        assertThat(e.chunkSteps()).isEqualTo(1024); // 4 MiB of these small steps is more than the limit
        assertThat(Files.isRegularFile(e.directory().resolve(DiskExperience.LAYOUT_FILE))).isTrue();
    }
}
