package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.internal.experience.ChunkFormat.InvalidChunkException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The experience of one run kept on disk, in the run directory's {@code experience/} folder, with
 * the same meaning as {@code InMemoryExperience}: per environment a stream of steps aligned as
 * {@link Experience} describes, episodes following one another, sequences crossing from one
 * episode into the next of the same environment and padded with mask 0 past the stored data.
 *
 * <p>Each environment's steps are gathered in a direct (off-heap) staging buffer of
 * {@link Options#chunkSteps()} steps; when it is full it is written as one chunk file (all fields
 * of those steps, column by column; format in {@link ChunkFormat}) and read back from then on
 * through a read-only memory mapping. Observation data therefore never lives on the Java heap, and
 * a crash loses at most the unwritten staging chunk of each environment. {@link #flush()} also
 * writes the staging chunks and forces everything to the device.
 *
 * <p>With a capacity ({@link Options#maxSteps()}, {@link Options#maxBytes()}) the oldest sealed
 * chunks are deleted first, as in DreamerV3's FIFO replay. {@link Options#maxMappedBytes()}
 * bounds how much of the files is mapped at once (least recently used mappings are dropped), and
 * with it the resident memory that sampling can pin.
 *
 * <p>{@link #open} restores what an earlier process wrote, checking each chunk's header, length
 * and checksum; chunks that fail (a write cut short by a crash) are renamed to {@code *.torn}
 * and reported in {@link #recovery()}. While open, the store holds a lock on the folder's
 * {@value #LOCK_FILE} file, so a second store (say, a resumed run while the first process still
 * lives) cannot write into it.
 *
 * <p>Reads go through a {@link Sampler}, which draws start steps with a {@link StepSelector}
 * ({@link UniformSteps}, {@link RecentSteps}) and copies them out (or hands out views) with a
 * {@link StepReader}; {@link EpisodeIndex} tracks where episodes begin and end, and
 * {@link ChunkFolder} owns the files. Like the in-memory store, this class is used from the run's loop
 * thread; its methods are synchronized all the same.
 */
public final class DiskExperience implements ExperienceStore {
    /** Name of the folder in a run directory that holds the experience. */
    public static final String DIRECTORY = "experience";
    /** The file that records the step layout the chunks were written with. */
    public static final String LAYOUT_FILE = "layout.txt";
    /** The file locked while a store has the folder open, so that two processes never write one folder. */
    public static final String LOCK_FILE = "lock";
    /**
     * Whether a store has the experience folder {@code dir} open now, in this process or in
     * another one (a run that another gateway or CLI process is running).
     */
    public static boolean isOpen(Path dir) throws IOException {
        return FolderLock.isHeld(dir);
    }

    /**
     * At most this many finished episodes are indexed for {@link #recentEpisodes} (older ones are
     * still sampled), which bounds the index when episodes are very short and nothing is dropped.
     */
    static final int MAX_INDEXED_EPISODES = 1 << 20;
    private static final int AUTO_CHUNK_BYTES = 4 << 20;

    /**
     * How the store writes and bounds its data.
     *
     * @param chunkSteps steps of one environment per chunk file; 0 picks about 4 MiB per chunk
     *     (between 64 and 1024 steps). A crash loses at most this many steps per environment.
     * @param maxSteps capacity in stored steps; the oldest chunks are deleted beyond it
     * @param maxBytes capacity in bytes of chunk files; the oldest chunks are deleted beyond it
     * @param maxMappedBytes how many bytes of chunk files may be mapped at once
     * @param verifyChecksums whether {@link #open} checks the data checksum of every chunk
     *     (else only headers and lengths)
     */
    public record Options(int chunkSteps, long maxSteps, long maxBytes, long maxMappedBytes, boolean verifyChecksums) {
        public Options {
            if (chunkSteps < 0 || maxSteps < 1 || maxBytes < 1 || maxMappedBytes < 1) {
                throw new IllegalArgumentException("bad experience options " + chunkSteps + ", " + maxSteps + ", "
                        + maxBytes + ", " + maxMappedBytes);
            }
        }

        /** Automatic chunk size, no capacity, 1 GiB mapped at most, checksums verified on open. */
        public static Options defaults() {
            return new Options(0, Long.MAX_VALUE, Long.MAX_VALUE, 1L << 30, true);
        }

        public Options withChunkSteps(int n) {
            return new Options(n, maxSteps, maxBytes, maxMappedBytes, verifyChecksums);
        }

        public Options withMaxSteps(long n) {
            return new Options(chunkSteps, n, maxBytes, maxMappedBytes, verifyChecksums);
        }

        public Options withMaxBytes(long n) {
            return new Options(chunkSteps, maxSteps, n, maxMappedBytes, verifyChecksums);
        }

        public Options withMaxMappedBytes(long n) {
            return new Options(chunkSteps, maxSteps, maxBytes, n, verifyChecksums);
        }

        public Options withVerifyChecksums(boolean verify) {
            return new Options(chunkSteps, maxSteps, maxBytes, maxMappedBytes, verify);
        }
    }

    /**
     * What {@link #open} found on disk.
     *
     * @param steps steps restored
     * @param chunks chunk files restored
     * @param finishedEpisodes whole finished episodes among them
     * @param droppedChunks chunk files that could not be used (torn or unfinished writes)
     * @param problems one line per dropped file: its name and why
     */
    public record Recovery(long steps, int chunks, int finishedEpisodes, int droppedChunks, List<String> problems) {
        public Recovery {
            problems = List.copyOf(problems);
        }

        /** Whether a torn or unfinished chunk was dropped. */
        public boolean tornChunkDropped() {
            return droppedChunks > 0;
        }

        @Override
        public String toString() {
            String s = "recovered " + steps + " steps in " + chunks + " chunks (" + finishedEpisodes + " finished episodes)";
            return droppedChunks == 0 ? s : s + "; dropped " + droppedChunks + " torn chunk(s): " + String.join("; ", problems);
        }
    }

    private final Path dir;
    private final StepLayout layout;
    private final Options options;
    private final int chunkSteps;
    private final Map<String, TensorSpec> observationSpecs = new LinkedHashMap<>();
    private final TensorSpec actionSpec;
    private final int numEnvs;
    private final List<EnvStream> streams = new ArrayList<>();
    private final ChunkQueue sealed = new ChunkQueue();
    private final EpisodeIndex episodes = new EpisodeIndex(MAX_INDEXED_EPISODES);
    private final MappedChunks maps;
    private final StepReader reader;
    private final Sampler sampler;
    private final List<Chunk> unsynced = new ArrayList<>();
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ChunkFormat.ALIGN * 16);
    private final ChunkFolder folder;
    private long sealedBytes;
    private long stagingSteps;
    private long firsts;
    private long nextSeq;
    private long tick;
    private Recovery recovery;
    private boolean closed;

    private DiskExperience(Path dir, EnvSpec spec, Options options) {
        this.dir = dir;
        this.layout = StepLayout.of(spec);
        this.options = options;
        spec.observationSpace().spaces().forEach((name, space) -> observationSpecs.put(name, space.tensorSpec()));
        this.actionSpec = spec.actionSpace().tensorSpec();
        this.numEnvs = spec.numEnvs();
        this.chunkSteps = options.chunkSteps() > 0 ? options.chunkSteps()
                : Math.max(64, Math.min(1024, AUTO_CHUNK_BYTES / Math.max(1, layout.stepBytes())));
        if (ChunkFormat.dataBytes(layout, chunkSteps) > Integer.MAX_VALUE - ChunkFormat.HEADER_BYTES) {
            throw new IllegalArgumentException(chunkSteps + " steps of " + layout.stepBytes()
                    + " bytes do not fit in one chunk; use fewer steps per chunk");
        }
        this.maps = new MappedChunks(options.maxMappedBytes());
        this.reader = new StepReader(layout, maps);
        this.folder = new ChunkFolder(dir, layout, maps);
        this.sampler = new Sampler(observationSpecs, actionSpec, layout, streams, sealed, episodes, reader);
        for (int i = 0; i < numEnvs; i++) {
            streams.add(new EnvStream(i));
        }
    }

    /** Opens (or creates) the experience in {@code dir} with default options. */
    public static DiskExperience open(Path dir, EnvSpec spec) {
        return open(dir, spec, Options.defaults());
    }

    /**
     * Opens the experience in {@code dir}, creating the folder if needed, and restores every
     * complete chunk found there; see {@link #recovery()} for what was restored and dropped.
     *
     * @throws IllegalArgumentException if the stored chunks were written for other observations or actions
     * @throws IllegalStateException if another store (in this or another process) has the folder open
     * @throws UncheckedIOException if the folder cannot be read or written
     */
    public static DiskExperience open(Path dir, EnvSpec spec, Options options) {
        DiskExperience e = new DiskExperience(dir, spec, options);
        try {
            e.load();
        } catch (IOException ex) {
            e.releaseResources();
            throw new UncheckedIOException("cannot open the experience in " + dir + ": " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            e.releaseResources();
            throw ex;
        }
        return e;
    }

    /** Opens (or creates) the experience of the run in {@code runDirectory}, in its {@value #DIRECTORY} folder. */
    public static DiskExperience forRun(Path runDirectory, EnvSpec spec) {
        return open(runDirectory.resolve(DIRECTORY), spec);
    }

    /** What {@link #open} restored from disk, and what it dropped. */
    @Override
    public synchronized java.util.Optional<io.worldgate.gateway.run.RunEvent.ExperienceRecovered> recoveryReport(long step) {
        Recovery r = recovery();
        if (r.steps() == 0 && r.droppedChunks() == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new io.worldgate.gateway.run.RunEvent.ExperienceRecovered(step, r.steps(), r.chunks(),
                r.finishedEpisodes(), r.droppedChunks(), String.join("; ", r.problems())));
    }

    public synchronized Recovery recovery() {
        return recovery;
    }

    public Path directory() {
        return dir;
    }

    /** Steps of one environment per chunk file. */
    public int chunkSteps() {
        return chunkSteps;
    }

    /** Bytes of the sealed chunk files now stored. */
    public synchronized long storedBytes() {
        return sealedBytes;
    }

    /** Bytes of chunk files mapped now. */
    public synchronized long mappedBytes() {
        return maps.mappedBytes();
    }

    /** Mappings dropped to the collector instead of unmapped at once, because a view of them was handed out. */
    synchronized long mappingsLeftToCollector() {
        return maps.leftToCollector();
    }

    /** Position of the oldest stored step in environment {@code env}'s stream (steps are numbered from 0). */
    synchronized long retainedStart(int env) {
        return streams.get(env).retainedStart();
    }

    // ---------------------------------------------------------------- appending

    @Override
    public synchronized void appendObservations(StepBatch batch) {
        checkOpen();
        int n = batch.size();
        if (n > numEnvs) {
            throw new IllegalArgumentException("batch of " + n + " environments, the store has " + numEnvs);
        }
        Map<String, Integer> obsColumns = layout.observationColumns();
        int[] cols = new int[obsColumns.size()];
        ByteBuffer[] src = new ByteBuffer[cols.length];
        int k = 0;
        for (Map.Entry<String, Integer> e : obsColumns.entrySet()) {
            StepLayout.Column col = layout.column(e.getValue());
            Tensor t = batch.observations().get(e.getKey());
            if (t.dtype() != col.dtype() || t.byteSize() != (long) n * col.stepBytes()) {
                throw new IllegalArgumentException("observation '" + e.getKey() + "' is " + t + ", expected " + n + " x "
                        + col.describe());
            }
            cols[k] = e.getValue();
            src[k++] = t.buffer();
        }
        long thisTick = tick++;
        for (int i = 0; i < n; i++) {
            EnvStream s = streams.get(i);
            Chunk c = s.staging;
            if (c == null || c.count == chunkSteps) {
                if (c != null) {
                    seal(s);
                }
                c = newStaging(s);
            }
            boolean reset = batch.isFirst()[i];
            boolean ended = batch.isLast(i);
            boolean newEpisode = reset || !s.appended || s.lastEnded;
            boolean fragment = newEpisode && !reset && !(s.appended && s.lastEnded);
            int flags = (newEpisode ? StepLayout.FIRST : 0) | (fragment ? StepLayout.FRAGMENT : 0)
                    | (ended ? StepLayout.LAST : 0) | (ended && batch.terminated()[i] ? StepLayout.TERMINAL : 0);
            int t = c.count;
            ByteBuffer buf = c.staging;
            for (int j = 0; j < cols.length; j++) {
                int bytes = layout.column(cols[j]).stepBytes();
                buf.put((int) reader.offset(c, cols[j], t), src[j], i * bytes, bytes);
            }
            zero(buf, (int) reader.offset(c, layout.actionColumn(), t), layout.column(layout.actionColumn()).stepBytes());
            buf.putFloat((int) reader.offset(c, layout.rewardColumn(), t), reset ? 0f : batch.rewards()[i]);
            buf.put((int) reader.offset(c, layout.flagsColumn(), t), (byte) flags);
            buf.putLong((int) reader.offset(c, layout.episodeColumn(), t), batch.episodeIds()[i]);
            buf.putLong((int) reader.offset(c, layout.tickColumn(), t), thisTick);
            c.count++;
            c.firstTick = t == 0 ? thisTick : c.firstTick;
            c.lastTick = thisTick;
            stagingSteps++;
            if (newEpisode) {
                c.firsts++;
                firsts++;
                c.startsWithFirst |= t == 0;
            }
            episodes.step(i, s.nextPos++, newEpisode, fragment, ended, batch.terminated()[i], batch.episodeIds()[i], thisTick);
            s.appended = true;
            s.lastEnded = ended;
        }
        enforceCapacity();
    }

    @Override
    public synchronized void appendActions(Tensor actions) {
        checkOpen();
        int col = layout.actionColumn();
        int bytes = layout.column(col).stepBytes();
        if (actions.dtype() != actionSpec.dtype() || actions.rank() == 0
                || actions.byteSize() != (long) actions.dim(0) * bytes) {
            throw new IllegalArgumentException("actions " + actions + " do not match " + actionSpec);
        }
        ByteBuffer src = actions.buffer();
        for (int i = 0; i < Math.min(actions.dim(0), numEnvs); i++) {
            EnvStream s = streams.get(i);
            Chunk c = s.staging;
            if (c == null || c.count == 0 || !s.appended || s.lastEnded) {
                continue; // no step yet, or the episode ended there: the action is ignored
            }
            c.staging.put((int) reader.offset(c, col, c.count - 1), src, i * bytes, bytes);
            if (c.flushedCount == c.count) {
                c.flushedCount--; // the file holds this step without its action: rewrite at the next flush
            }
        }
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            for (EnvStream s : streams) {
                Chunk c = s.staging;
                if (c != null && c.count > c.flushedCount) {
                    folder.write(c, true);
                    c.flushedCount = c.count;
                }
            }
            for (Chunk c : unsynced) {
                folder.force(c);
            }
            unsynced.clear();
            folder.syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the experience in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the staging chunks (so a later {@link #open} restores every step) and unmaps all files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            releaseResources();
            for (EnvStream s : streams) {
                s.buffer = null;
                if (s.staging != null) {
                    s.staging.staging = null;
                }
            }
            closed = true;
        }
    }

    private void releaseResources() {
        maps.releaseAll();
        folder.unlock();
    }

    private Chunk newStaging(EnvStream s) {
        long seq = nextSeq++;
        Chunk c = new Chunk(s.env, seq, s.nextPos, dir.resolve(ChunkFormat.fileName(seq, s.env)));
        if (s.buffer == null) {
            s.buffer = ByteBuffer.allocateDirect((int) ChunkFormat.dataBytes(layout, chunkSteps)).order(ByteOrder.nativeOrder());
        }
        c.staging = s.buffer;
        c.offsets = ChunkFormat.columnOffsets(layout, chunkSteps, 0);
        Chunk prev = s.newest();
        if (prev != null) {
            prev.next = c;
        }
        s.staging = c;
        return c;
    }

    private void seal(EnvStream s) {
        Chunk c = s.staging;
        try {
            folder.write(c, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write experience chunk " + c.file + ": " + e.getMessage(), e);
        }
        c.staging = null;
        c.offsets = ChunkFormat.columnOffsets(layout, c.count, ChunkFormat.HEADER_BYTES);
        c.fileBytes = ChunkFormat.HEADER_BYTES + ChunkFormat.dataBytes(layout, c.count);
        stagingSteps -= c.count;
        sealedBytes += c.fileBytes;
        sealed.add(c);
        s.chunks.add(c);
        s.staging = null;
        unsynced.add(c);
    }

    private void enforceCapacity() {
        while (sealed.size() > 0
                && (sealed.steps() + stagingSteps > options.maxSteps() || sealedBytes > options.maxBytes())) {
            dropOldest();
        }
    }

    private void dropOldest() {
        Chunk c = sealed.removeFirst();
        streams.get(c.env).dropHead(c);
        sealedBytes -= c.fileBytes;
        firsts -= c.firsts;
        maps.release(c);
        unsynced.remove(c);
        folder.delete(c);
        episodes.dropBefore(this::retainedStart);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public synchronized long numSteps() {
        return sealed.steps() + stagingSteps;
    }

    @Override
    public synchronized int numEpisodes() {
        long n = firsts;
        for (EnvStream s : streams) {
            Chunk c = s.oldest();
            if (c != null && c.count > 0 && !c.startsWithFirst) {
                n++; // the stored part of an episode whose first steps were dropped
            }
        }
        return (int) n;
    }

    @Override
    public SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        return sampleSequences(SampleRequest.of(batchSize, length), rng);
    }

    @Override
    public synchronized SequenceBatch sampleSequences(SampleRequest request, RandomGenerator rng) {
        checkOpen();
        return sampler.sequences(request, rng);
    }

    @Override
    public synchronized NamedTensors sampleFrames(int batchSize, Collection<String> keys, Selector selector,
            RandomGenerator rng) {
        checkOpen();
        return sampler.frames(batchSize, keys, selector, rng);
    }

    @Override
    public synchronized List<Episode> recentEpisodes(int max) {
        checkOpen();
        return sampler.recentEpisodes(max);
    }

    /**
     * Visits the indexed finished episodes (the latest {@value #MAX_INDEXED_EPISODES}) as
     * read-only views of their chunk (its mapping, or the staging buffer); one held across two
     * chunks is copied.
     */
    @Override
    public synchronized void forEachEpisode(Consumer<? super Episode> visitor) {
        checkOpen();
        sampler.forEachEpisode(visitor);
    }

    private void zero(ByteBuffer buf, int at, int bytes) {
        while (bytes > 0) {
            int k = Math.min(bytes, zeros.capacity());
            buf.put(at, zeros, 0, k);
            at += k;
            bytes -= k;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the experience in " + dir + " is closed");
        }
    }

    // ---------------------------------------------------------------- reopening

    private void load() throws IOException {
        folder.open();
        List<String> problems = new ArrayList<>();
        List<Chunk> loaded = new ArrayList<>();
        for (Path p : folder.chunkFiles(problems)) {
            try {
                loaded.add(folder.read(p, options.verifyChecksums()));
            } catch (InvalidChunkException e) {
                problems.add(folder.setAside(p) + ": " + e.getMessage());
            }
        }
        int maxEnv = loaded.stream().mapToInt(c -> c.env).max().orElse(-1);
        for (int i = streams.size(); i <= maxEnv; i++) {
            streams.add(new EnvStream(i)); // stored by an earlier run with more environments; read only
        }
        loaded.sort(Comparator.comparingLong((Chunk c) -> c.seq));
        long maxTick = -1;
        List<Chunk> kept = new ArrayList<>();
        for (EnvStream s : streams) {
            List<Chunk> mine = new ArrayList<>(loaded.stream().filter(c -> c.env == s.env).toList());
            mine.sort(Comparator.comparingLong((Chunk c) -> c.streamStart));
            Chunk prev = null;
            for (Chunk c : mine) {
                if (prev != null && c.streamStart < prev.streamEnd()) {
                    maps.release(c);
                    problems.add(folder.setAside(c.file) + ": overlaps " + prev.file.getFileName());
                    continue;
                }
                if (prev != null) {
                    c.gapBefore = c.streamStart > prev.streamEnd();
                    prev.next = c;
                }
                maxTick = Math.max(maxTick, scan(s, c));
                s.chunks.add(c);
                kept.add(c);
                prev = c;
            }
            s.nextPos = prev == null ? 0 : prev.streamEnd();
        }
        kept.sort(Comparator.comparingLong((Chunk c) -> c.seq));
        long steps = 0;
        for (Chunk c : kept) {
            sealed.add(c);
            sealedBytes += c.fileBytes;
            firsts += c.firsts;
            steps += c.count;
            nextSeq = Math.max(nextSeq, c.seq + 1);
        }
        int finishedEpisodes = episodes.size();
        episodes.sortByEnd();
        tick = maxTick + 1;
        int dropped = problems.size();
        recovery = new Recovery(steps, kept.size(), finishedEpisodes, dropped, problems);
        enforceCapacity();
    }

    /** Reads a restored chunk's flags, episode ids and ticks: episode counts, tick range and episodes. */
    private long scan(EnvStream s, Chunk c) {
        ByteBuffer data = maps.data(c);
        int flagsAt = (int) reader.offset(c, layout.flagsColumn(), 0);
        int idsAt = (int) reader.offset(c, layout.episodeColumn(), 0);
        int ticksAt = (int) reader.offset(c, layout.tickColumn(), 0);
        long maxTick = -1;
        for (int j = 0; j < c.count; j++) {
            int flags = data.get(flagsAt + j);
            long id = data.getLong(idsAt + 8 * j);
            long tickOfStep = data.getLong(ticksAt + 8 * j);
            maxTick = Math.max(maxTick, tickOfStep);
            boolean gap = j == 0 && c.gapBefore;
            boolean first = (flags & StepLayout.FIRST) != 0 || gap;
            if (first) {
                c.firsts++;
                c.startsWithFirst |= j == 0;
            }
            c.firstTick = j == 0 ? tickOfStep : c.firstTick;
            c.lastTick = tickOfStep;
            episodes.step(s.env, c.streamStart + j, first, gap || (flags & StepLayout.FRAGMENT) != 0,
                    (flags & StepLayout.LAST) != 0, (flags & StepLayout.TERMINAL) != 0, id, tickOfStep);
        }
        return maxTick;
    }

    @Override
    public String toString() {
        return "DiskExperience[" + dir + ", " + numSteps() + " steps]";
    }
}
