package io.worldgate.gateway.run.internal.experience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Read-only mappings of sealed chunk files, at most {@code maxMappedBytes} of them at once (the
 * least recently used are unmapped first, at least one stays). Unmapping releases the pages from
 * the process at once; callers copy out of a mapping before asking for another. A mapping whose
 * views were handed outside the store ({@link Chunk#exposed}) is only dropped, and unmapped by
 * the collector once no view is left; exposure belongs to one mapping, so the chunk's next
 * mapping is unmapped at once again.
 */
final class MappedChunks {
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private final long maxMappedBytes;
    private final LinkedHashSet<Chunk> lru = new LinkedHashSet<>();
    private long mappedBytes;
    /** Mappings dropped to the collector because a view of them was handed out. */
    private long leftToCollector;

    MappedChunks(long maxMappedBytes) {
        this.maxMappedBytes = maxMappedBytes;
    }

    /** The chunk's data: its staging buffer, or its file's mapping (mapped now if needed). */
    ByteBuffer data(Chunk c) {
        if (c.staging != null) {
            return c.staging;
        }
        if (c.mapped != null) {
            lru.remove(c);
            lru.add(c);
            return c.mapped;
        }
        try (FileChannel ch = FileChannel.open(c.file, StandardOpenOption.READ)) {
            c.mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, c.fileBytes).order(ByteOrder.nativeOrder());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map experience chunk " + c.file + ": " + e.getMessage(), e);
        }
        lru.add(c);
        mappedBytes += c.fileBytes;
        Iterator<Chunk> it = lru.iterator();
        while (mappedBytes > maxMappedBytes && lru.size() > 1) {
            Chunk oldest = it.next();
            it.remove();
            unmap(oldest);
        }
        return c.mapped;
    }

    /** Unmaps the chunk if it is mapped (before its file is deleted or replaced). */
    void release(Chunk c) {
        if (c.mapped != null) {
            lru.remove(c);
            unmap(c);
        }
    }

    void releaseAll() {
        for (Chunk c : lru) {
            unmap(c);
        }
        lru.clear();
    }

    long mappedBytes() {
        return mappedBytes;
    }

    long leftToCollector() {
        return leftToCollector;
    }

    private void unmap(Chunk c) {
        ByteBuffer b = c.mapped;
        boolean exposed = c.exposed;
        c.mapped = null;
        c.exposed = false; // the views handed out hold this mapping, not the chunk's next one
        mappedBytes -= c.fileBytes;
        if (exposed) {
            leftToCollector++;
        } else if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invokeExact(b);
            } catch (Throwable e) {
                // Left to the garbage collector.
            }
        }
    }

    /**
     * {@code sun.misc.Unsafe.invokeCleaner}, which unmaps a mapped buffer now instead of when the
     * collector finds it (the only way in Java 17); without it, mappings go with the collector.
     */
    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            MethodHandle h = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class));
            return h.bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
