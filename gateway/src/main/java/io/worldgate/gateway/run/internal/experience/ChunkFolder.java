package io.worldgate.gateway.run.internal.experience;

import io.worldgate.gateway.run.internal.experience.ChunkFormat.Header;
import io.worldgate.gateway.run.internal.experience.ChunkFormat.InvalidChunkException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The files of one experience folder (see the package comment): the lock, the layout file, and
 * the chunk files, written to a {@code .part} file and renamed into place, read back with their
 * header and checksum checked, and set aside as {@code .torn} when they fail.
 */
final class ChunkFolder {
    private final Path dir;
    private final StepLayout layout;
    private final MappedChunks maps;
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ChunkFormat.ALIGN * 16);
    private FolderLock lock;

    ChunkFolder(Path dir, StepLayout layout, MappedChunks maps) {
        this.dir = dir;
        this.layout = layout;
        this.maps = maps;
    }

    /** Creates the folder and takes its lock, then checks (or writes) its layout file. */
    void open() throws IOException {
        Files.createDirectories(dir);
        lock();
        checkLayoutFile();
    }

    /** Releases the lock. */
    void unlock() {
        if (lock != null) {
            lock.release();
            lock = null;
        }
    }

    /** The chunk files found; leftover {@code .part} files are deleted, each noted in {@code problems}. */
    List<Path> chunkFiles(List<String> problems) throws IOException {
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
        return chunkFiles;
    }

    /** Forces a written chunk's file to the device, if it still exists. */
    void force(Chunk c) throws IOException {
        if (Files.exists(c.file)) {
            try (FileChannel ch = FileChannel.open(c.file, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

    void delete(Chunk c) {
        try {
            Files.deleteIfExists(c.file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete experience chunk " + c.file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a staging chunk's {@code count} steps to its file: a sibling {@code .part} file renamed over it. */
    void write(Chunk c, boolean force) throws IOException {
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

    private void lock() throws IOException {
        lock = FolderLock.acquire(dir);
    }

    private void checkLayoutFile() throws IOException {
        String expected = "worldgate-experience " + ChunkFormat.VERSION + "\n" + layout.description();
        Path file = dir.resolve(DiskExperience.LAYOUT_FILE);
        if (Files.exists(file)) {
            String found = Files.readString(file, StandardCharsets.UTF_8);
            if (!found.equals(expected)) {
                throw new IllegalArgumentException("the experience in " + dir + " was stored for other observations or "
                        + "actions:\n" + found + "this run has:\n" + expected);
            }
            return;
        }
        Path part = dir.resolve(DiskExperience.LAYOUT_FILE + ChunkFormat.PART_SUFFIX);
        Files.writeString(part, expected, StandardCharsets.UTF_8);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Chunk read(Path p, boolean verifyChecksum) throws IOException, InvalidChunkException {
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
        if (verifyChecksum) {
            ByteBuffer data = maps.data(c);
            if (ChunkFormat.crc(data, ChunkFormat.HEADER_BYTES, h.dataBytes()) != h.dataCrc()) {
                maps.release(c);
                throw new InvalidChunkException("data checksum mismatch");
            }
        }
        return c;
    }

    /** Renames an unusable chunk file to {@code *.torn}, kept for inspection and ignored from then on. */
    Path setAside(Path p) throws IOException {
        Path torn = p.resolveSibling(p.getFileName() + ChunkFormat.TORN_SUFFIX);
        Files.move(p, torn, StandardCopyOption.REPLACE_EXISTING);
        return torn.getFileName();
    }

    void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a directory be synced; the chunk files themselves are.
        }
    }
}
