package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.internal.experience.ChunkFormat.Header;
import io.worldgate.gateway.run.internal.experience.ChunkFormat.InvalidChunkException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

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
 * <p>Sampling picks a stored step uniformly by binary search over running step totals of the
 * chunks (O(log chunks) per sequence). Like the in-memory store, this class is used from the
 * run's loop thread; its methods are synchronized all the same.
 */
public final class DiskExperience implements ExperienceStore {
    /** Name of the folder in a run directory that holds the experience. */
    public static final String DIRECTORY = "experience";
    /** The file that records the step layout the chunks were written with. */
    public static final String LAYOUT_FILE = "layout.txt";
    /** The file locked while a store has the folder open, so that two processes never write one folder. */
    public static final String LOCK_FILE = "lock";
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

    /** A finished episode stored whole: where it is, and what ended it. */
    private record Finished(int env, long start, int length, long id, boolean terminated, long endTick) {}

    /** The stored steps of one environment. */
    private static final class EnvStream {
        final int env;
        /** Sealed chunks still stored, from {@code head} on, in stream order. */
        final ArrayList<Chunk> chunks = new ArrayList<>();
        int head;
        Chunk staging;
        ByteBuffer buffer;
        long nextPos;
        /** Whether a step was appended since the store was opened, and whether it ended an episode. */
        boolean appended;
        boolean lastEnded;
        long episodeStart = -1;
        boolean episodeWhole;
        long episodeId;

        EnvStream(int env) {
            this.env = env;
        }

        Chunk oldest() {
            return head < chunks.size() ? chunks.get(head) : staging;
        }

        Chunk newest() {
            return staging != null ? staging : head < chunks.size() ? chunks.get(chunks.size() - 1) : null;
        }

        long retainedStart() {
            Chunk c = oldest();
            return c == null ? nextPos : c.streamStart;
        }

        void dropHead(Chunk expected) {
            if (chunks.get(head) != expected) {
                throw new IllegalStateException("chunks of environment " + env + " out of order");
            }
            chunks.set(head++, null);
            if (head > 256 && head > chunks.size() / 2) {
                chunks.subList(0, head).clear();
                head = 0;
            }
        }

        /** The chunk holding stream position {@code pos}, or null. */
        Chunk find(long pos) {
            if (staging != null && pos >= staging.streamStart) {
                return pos < staging.streamEnd() ? staging : null;
            }
            int lo = head;
            int hi = chunks.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                Chunk c = chunks.get(mid);
                if (pos < c.streamStart) {
                    hi = mid - 1;
                } else if (pos >= c.streamEnd()) {
                    lo = mid + 1;
                } else {
                    return c;
                }
            }
            return null;
        }
    }

    /** Where {@link #copySteps} writes: buffers of {@code [rows, ...]} tensors by column, and the flag tensors. */
    private record Target(int[] columns, ByteBuffer[] buffers, Tensor isFirst, Tensor isTerminal, Tensor mask) {}

    private final Path dir;
    private final StepLayout layout;
    private final Options options;
    private final int chunkSteps;
    private final Map<String, TensorSpec> observationSpecs = new LinkedHashMap<>();
    private final TensorSpec actionSpec;
    private final int numEnvs;
    private final List<EnvStream> streams = new ArrayList<>();
    private final ChunkQueue sealed = new ChunkQueue();
    private final ArrayDeque<Finished> finished = new ArrayDeque<>();
    private final MappedChunks maps;
    private final List<Chunk> unsynced = new ArrayList<>();
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ChunkFormat.ALIGN * 16);
    private long sealedBytes;
    private long stagingSteps;
    private long firsts;
    private long nextSeq;
    private long tick;
    private Recovery recovery;
    private FileChannel lockChannel;
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
    public synchronized java.util.Optional<String> recoveryReport() {
        Recovery r = recovery();
        if (r.steps() == 0 && r.droppedChunks() == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("experience: recovered " + r.steps() + " steps in " + r.chunks() + " chunks ("
                + r.finishedEpisodes() + " finished episodes)"
                + (r.droppedChunks() > 0 ? "; dropped " + r.droppedChunks() + " damaged chunk(s): " + String.join("; ", r.problems()) : ""));
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
                buf.put((int) offset(c, cols[j], t), src[j], i * bytes, bytes);
            }
            zero(buf, (int) offset(c, layout.actionColumn(), t), layout.column(layout.actionColumn()).stepBytes());
            buf.putFloat((int) offset(c, layout.rewardColumn(), t), reset ? 0f : batch.rewards()[i]);
            buf.put((int) offset(c, layout.flagsColumn(), t), (byte) flags);
            buf.putLong((int) offset(c, layout.episodeColumn(), t), batch.episodeIds()[i]);
            buf.putLong((int) offset(c, layout.tickColumn(), t), thisTick);
            c.count++;
            stagingSteps++;
            long pos = s.nextPos++;
            if (newEpisode) {
                c.firsts++;
                firsts++;
                if (t == 0) {
                    c.startsWithFirst = true;
                }
                s.episodeStart = pos;
                s.episodeWhole = !fragment;
                s.episodeId = batch.episodeIds()[i];
            }
            if (ended && s.episodeWhole && s.episodeStart >= 0) {
                finished.add(new Finished(i, s.episodeStart, (int) (pos - s.episodeStart + 1), s.episodeId,
                        batch.terminated()[i], thisTick));
                if (finished.size() > MAX_INDEXED_EPISODES) {
                    finished.removeFirst();
                }
                s.episodeStart = -1;
            }
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
            c.staging.put((int) offset(c, col, c.count - 1), src, i * bytes, bytes);
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
                    writeChunk(c, true);
                    c.flushedCount = c.count;
                }
            }
            for (Chunk c : unsynced) {
                if (Files.exists(c.file)) {
                    try (FileChannel ch = FileChannel.open(c.file, StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                }
            }
            unsynced.clear();
            syncDirectory();
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
        if (lockChannel != null) {
            try {
                lockChannel.close(); // releases the lock
            } catch (IOException e) {
                // nothing more to release
            }
            lockChannel = null;
        }
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
            writeChunk(c, false);
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

    /** Writes a staging chunk's {@code count} steps to its file: a sibling {@code .part} file renamed over it. */
    private void writeChunk(Chunk c, boolean force) throws IOException {
        int n = c.count;
        List<ByteBuffer> parts = new ArrayList<>();
        CRC32C crc = new CRC32C();
        long dataBytes = 0;
        for (int col = 0; col < layout.numColumns(); col++) {
            int bytes = n * layout.column(col).stepBytes();
            ByteBuffer slice = c.staging.slice((int) c.offsets[col], bytes);
            crc.update(slice.duplicate());
            parts.add(slice);
            int pad = (int) (ChunkFormat.align(bytes) - bytes);
            if (pad > 0) {
                ByteBuffer p = zeros.slice(0, pad);
                crc.update(p.duplicate());
                parts.add(p);
            }
            dataBytes += bytes + pad;
        }
        ByteBuffer header = ChunkFormat.encodeHeader(new Header(layout.hash(), c.seq, c.env, n, c.streamStart, dataBytes,
                (int) crc.getValue()));
        parts.add(0, header);
        ByteBuffer[] array = parts.toArray(new ByteBuffer[0]);
        long total = ChunkFormat.HEADER_BYTES + dataBytes;
        Path part = c.file.resolveSibling(c.file.getFileName() + ChunkFormat.PART_SUFFIX);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            while (written < total) {
                written += ch.write(array);
            }
            if (force) {
                ch.force(true);
            }
        }
        Files.move(part, c.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        try {
            Files.deleteIfExists(c.file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete experience chunk " + c.file + ": " + e.getMessage(), e);
        }
        while (!finished.isEmpty() && finished.peekFirst().start() < streams.get(finished.peekFirst().env()).retainedStart()) {
            finished.removeFirst();
        }
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
    public synchronized SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        checkOpen();
        long total = numSteps();
        if (total == 0) {
            throw new IllegalStateException("the experience is empty");
        }
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observationSpecs.forEach((name, spec) -> obs.put(name, Tensor.allocate(spec.dtype(), prepend(batchSize, length, spec.shape()))));
        Tensor actions = Tensor.allocate(actionSpec.dtype(), prepend(batchSize, length, actionSpec.shape()));
        Tensor rewards = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor isFirst = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor isTerminal = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor mask = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Target target = target(obs, actions, rewards, isFirst, isTerminal, mask);
        long sealedSteps = sealed.steps();
        for (int b = 0; b < batchSize; b++) {
            long k = rng.nextLong(total);
            Chunk c = null;
            int t = 0;
            if (k < sealedSteps) {
                int index = sealed.find(k);
                c = sealed.get(index);
                t = sealed.offsetIn(index, k);
            } else {
                k -= sealedSteps;
                for (EnvStream s : streams) {
                    if (s.staging != null) {
                        if (k < s.staging.count) {
                            c = s.staging;
                            t = (int) k;
                            break;
                        }
                        k -= s.staging.count;
                    }
                }
            }
            copySteps(c, t, b * length, length, target);
        }
        return new SequenceBatch(NamedTensors.of(obs), actions, rewards, isFirst, isTerminal, mask);
    }

    @Override
    public synchronized List<Episode> recentEpisodes(int max) {
        checkOpen();
        List<Finished> picked = new ArrayList<>();
        for (Iterator<Finished> it = finished.descendingIterator(); it.hasNext() && picked.size() < max;) {
            Finished f = it.next();
            if (f.start() >= streams.get(f.env()).retainedStart()) {
                picked.add(f);
            }
        }
        Collections.reverse(picked);
        List<Episode> out = new ArrayList<>(picked.size());
        for (Finished f : picked) {
            int len = f.length();
            Map<String, Tensor> obs = new LinkedHashMap<>();
            observationSpecs.forEach((name, spec) -> obs.put(name, Tensor.allocate(spec.dtype(), spec.batchShape(len))));
            Tensor acts = Tensor.allocate(actionSpec.dtype(), actionSpec.batchShape(len));
            Tensor rews = Tensor.allocate(DType.FLOAT32, len);
            EnvStream s = streams.get(f.env());
            Chunk c = s.find(f.start());
            copySteps(c, (int) (f.start() - c.streamStart), 0, len, target(obs, acts, rews, null, null, null));
            out.add(new Episode(f.id(), NamedTensors.of(obs), acts, rews, f.terminated()));
        }
        return out;
    }

    private Target target(Map<String, Tensor> obs, Tensor actions, Tensor rewards, Tensor isFirst, Tensor isTerminal,
            Tensor mask) {
        int n = obs.size() + 2;
        int[] columns = new int[n];
        ByteBuffer[] buffers = new ByteBuffer[n];
        int k = 0;
        for (Map.Entry<String, Tensor> e : obs.entrySet()) {
            columns[k] = layout.observationColumns().get(e.getKey());
            buffers[k++] = e.getValue().buffer();
        }
        columns[k] = layout.actionColumn();
        buffers[k++] = actions.buffer();
        columns[k] = layout.rewardColumn();
        buffers[k] = rewards.buffer();
        return new Target(columns, buffers, isFirst, isTerminal, mask);
    }

    /**
     * Copies up to {@code length} consecutive steps of one environment, from step {@code t} of
     * chunk {@code c} on, into rows {@code row..row+length-1} of the target; rows past the stored
     * steps are left zero (mask 0).
     */
    private void copySteps(Chunk c, int t, int row, int length, Target target) {
        int done = 0;
        while (done < length && c != null) {
            if (t >= c.count) {
                c = c.next;
                t = 0;
                continue;
            }
            int k = Math.min(length - done, c.count - t);
            ByteBuffer data = maps.data(c);
            int r = row + done;
            for (int j = 0; j < target.columns().length; j++) {
                int col = target.columns()[j];
                int bytes = layout.column(col).stepBytes();
                target.buffers()[j].put(r * bytes, data, (int) offset(c, col, t), k * bytes);
            }
            if (target.mask() != null) {
                int flagsAt = (int) offset(c, layout.flagsColumn(), t);
                for (int j = 0; j < k; j++) {
                    int flags = data.get(flagsAt + j);
                    boolean first = (flags & StepLayout.FIRST) != 0 || (t + j == 0 && c.gapBefore);
                    target.isFirst().setFloat(r + j, first ? 1 : 0);
                    target.isTerminal().setFloat(r + j, (flags & StepLayout.TERMINAL) != 0 ? 1 : 0);
                    target.mask().setFloat(r + j, 1);
                }
            }
            done += k;
            t += k;
        }
    }

    private long offset(Chunk c, int column, int step) {
        return c.offsets[column] + (long) step * layout.column(column).stepBytes();
    }

    private void zero(ByteBuffer buf, int at, int bytes) {
        while (bytes > 0) {
            int k = Math.min(bytes, zeros.capacity());
            buf.put(at, zeros, 0, k);
            at += k;
            bytes -= k;
        }
    }

    private static int[] prepend(int b, int t, int[] shape) {
        int[] out = new int[shape.length + 2];
        out[0] = b;
        out[1] = t;
        System.arraycopy(shape, 0, out, 2, shape.length);
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the experience in " + dir + " is closed");
        }
    }

    // ---------------------------------------------------------------- reopening

    private void load() throws IOException {
        Files.createDirectories(dir);
        lock();
        checkLayoutFile();
        List<String> problems = new ArrayList<>();
        List<Path> chunkFiles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(ChunkFormat.PART_SUFFIX)) {
                    Files.deleteIfExists(p);
                    problems.add(name + ": an unfinished write; deleted");
                } else if (name.endsWith(ChunkFormat.SUFFIX)) {
                    chunkFiles.add(p);
                }
            }
        }
        List<Chunk> loaded = new ArrayList<>();
        for (Path p : chunkFiles) {
            try {
                loaded.add(readChunk(p));
            } catch (InvalidChunkException e) {
                problems.add(setAside(p) + ": " + e.getMessage());
            }
        }
        int maxEnv = loaded.stream().mapToInt(c -> c.env).max().orElse(-1);
        for (int i = streams.size(); i <= maxEnv; i++) {
            streams.add(new EnvStream(i)); // stored by an earlier run with more environments; read only
        }
        loaded.sort(Comparator.comparingLong((Chunk c) -> c.seq));
        List<Finished> found = new ArrayList<>();
        long maxTick = -1;
        List<Chunk> kept = new ArrayList<>();
        for (EnvStream s : streams) {
            List<Chunk> mine = new ArrayList<>(loaded.stream().filter(c -> c.env == s.env).toList());
            mine.sort(Comparator.comparingLong((Chunk c) -> c.streamStart));
            Chunk prev = null;
            for (Chunk c : mine) {
                if (prev != null && c.streamStart < prev.streamEnd()) {
                    maps.release(c);
                    problems.add(setAside(c.file) + ": overlaps " + prev.file.getFileName());
                    continue;
                }
                if (prev != null) {
                    c.gapBefore = c.streamStart > prev.streamEnd();
                    prev.next = c;
                }
                maxTick = Math.max(maxTick, scan(s, c, found));
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
        found.sort(Comparator.comparingLong(Finished::endTick));
        finished.addAll(found.subList(Math.max(0, found.size() - MAX_INDEXED_EPISODES), found.size()));
        tick = maxTick + 1;
        int dropped = problems.size();
        recovery = new Recovery(steps, kept.size(), found.size(), dropped, problems);
        enforceCapacity();
    }

    private void lock() throws IOException {
        lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean locked;
        try {
            locked = lockChannel.tryLock() != null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            locked = false;
        }
        if (!locked) {
            throw new IllegalStateException("the experience in " + dir + " is open in another store or process");
        }
    }

    private void checkLayoutFile() throws IOException {
        String expected = "worldgate-experience " + ChunkFormat.VERSION + "\n" + layout.description();
        Path file = dir.resolve(LAYOUT_FILE);
        if (Files.exists(file)) {
            String found = Files.readString(file, StandardCharsets.UTF_8);
            if (!found.equals(expected)) {
                throw new IllegalArgumentException("the experience in " + dir + " was stored for other observations or "
                        + "actions:\n" + found + "this run has:\n" + expected);
            }
            return;
        }
        Path part = dir.resolve(LAYOUT_FILE + ChunkFormat.PART_SUFFIX);
        Files.writeString(part, expected, StandardCharsets.UTF_8);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Chunk readChunk(Path p) throws IOException, InvalidChunkException {
        Header h;
        long size;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer raw = ByteBuffer.allocate(ChunkFormat.HEADER_BYTES);
            while (raw.hasRemaining() && ch.read(raw, raw.position()) > 0) {
                // read the whole header
            }
            raw.flip();
            h = ChunkFormat.decodeHeader(raw, layout, size);
        }
        if (!p.getFileName().toString().equals(ChunkFormat.fileName(h.seq(), h.env()))) {
            throw new InvalidChunkException("header names chunk " + ChunkFormat.fileName(h.seq(), h.env()));
        }
        Chunk c = new Chunk(h.env(), h.seq(), h.streamStart(), p);
        c.count = h.count();
        c.flushedCount = h.count();
        c.fileBytes = size;
        c.offsets = ChunkFormat.columnOffsets(layout, c.count, ChunkFormat.HEADER_BYTES);
        if (options.verifyChecksums()) {
            ByteBuffer data = maps.data(c);
            if (ChunkFormat.crc(data, ChunkFormat.HEADER_BYTES, h.dataBytes()) != h.dataCrc()) {
                maps.release(c);
                throw new InvalidChunkException("data checksum mismatch");
            }
        }
        return c;
    }

    /** Reads a restored chunk's flags, episode ids and ticks: episode counts and finished episodes. */
    private long scan(EnvStream s, Chunk c, List<Finished> found) {
        ByteBuffer data = maps.data(c);
        int flagsAt = (int) offset(c, layout.flagsColumn(), 0);
        int idsAt = (int) offset(c, layout.episodeColumn(), 0);
        int ticksAt = (int) offset(c, layout.tickColumn(), 0);
        long maxTick = -1;
        for (int j = 0; j < c.count; j++) {
            int flags = data.get(flagsAt + j);
            long id = data.getLong(idsAt + 8 * j);
            long tickOfStep = data.getLong(ticksAt + 8 * j);
            maxTick = Math.max(maxTick, tickOfStep);
            boolean gap = j == 0 && c.gapBefore;
            boolean first = (flags & StepLayout.FIRST) != 0 || gap;
            long pos = c.streamStart + j;
            if (first) {
                c.firsts++;
                if (j == 0) {
                    c.startsWithFirst = true;
                }
                s.episodeStart = pos;
                s.episodeWhole = !gap && (flags & StepLayout.FRAGMENT) == 0;
                s.episodeId = id;
            }
            if ((flags & StepLayout.LAST) != 0) {
                if (s.episodeWhole && s.episodeStart >= 0) {
                    found.add(new Finished(s.env, s.episodeStart, (int) (pos - s.episodeStart + 1), s.episodeId,
                            (flags & StepLayout.TERMINAL) != 0, tickOfStep));
                }
                s.episodeStart = -1;
            }
        }
        return maxTick;
    }

    /** Renames an unusable chunk file to {@code *.torn}, kept for inspection and ignored from then on. */
    private Path setAside(Path p) throws IOException {
        Path torn = p.resolveSibling(p.getFileName() + ChunkFormat.TORN_SUFFIX);
        Files.move(p, torn, StandardCopyOption.REPLACE_EXISTING);
        return torn.getFileName();
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a directory be synced; the chunk files themselves are.
        }
    }

    @Override
    public String toString() {
        return "DiskExperience[" + dir + ", " + numSteps() + " steps]";
    }
}
