package io.worldgate.gateway.run.internal.experience;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The lock on an experience folder's {@value DiskExperience#LOCK_FILE} file that keeps a second
 * store, in this process or another, from writing into a folder that is open; and the probe that
 * asks whether a folder is held, so that a run alive in another process is listed as running.
 *
 * <p>Java's file locks are POSIX record locks on Linux: closing <em>any</em> channel of this
 * process on the file drops every lock the process holds on it. So a probe never opens the file
 * of a folder this process holds (it answers from {@link #HELD_HERE}), and probes and
 * acquisitions take one monitor, so that a probe's short-lived lock cannot make an open fail.
 */
final class FolderLock {
    /** How long {@link #acquire} keeps trying a lock held elsewhere (a probe's hold is microseconds). */
    static final long PROBE_GRACE_MILLIS = 500;
    private static final Set<Path> HELD_HERE = new HashSet<>();
    private final Path folder;
    private FileChannel channel;

    private FolderLock(Path folder, FileChannel channel) {
        this.folder = folder;
        this.channel = channel;
    }

    /**
     * Takes the folder's lock. Another process's {@link #isHeld} probe holds it for microseconds, so
     * a lock held elsewhere is tried again for up to {@link #PROBE_GRACE_MILLIS} before the folder
     * counts as open there.
     *
     * @throws IllegalStateException if the folder is open in another store or process
     */
    static FolderLock acquire(Path dir) throws IOException {
        Path folder = key(dir);
        long deadline = System.nanoTime() + PROBE_GRACE_MILLIS * 1_000_000L;
        while (true) {
            synchronized (HELD_HERE) {
                if (HELD_HERE.contains(folder)) {
                    throw inUse(dir);
                }
                FileChannel channel = FileChannel.open(dir.resolve(DiskExperience.LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock != null) {
                    HELD_HERE.add(folder);
                    return new FolderLock(folder, channel);
                }
                channel.close();
            }
            if (System.nanoTime() > deadline) {
                throw inUse(dir);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw inUse(dir);
            }
        }
    }

    /**
     * Whether a store holds the folder now, in this process or another. A folder without a lock
     * file was never opened; one whose holder died is free (the system drops a dead process's locks).
     */
    static boolean isHeld(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        Path folder = key(dir);
        synchronized (HELD_HERE) {
            if (HELD_HERE.contains(folder)) {
                return true;
            }
            try (FileChannel channel = FileChannel.open(dir.resolve(DiskExperience.LOCK_FILE), StandardOpenOption.WRITE)) {
                FileLock probe = channel.tryLock();
                if (probe == null) {
                    return true;
                }
                probe.release();
                return false;
            } catch (NoSuchFileException e) {
                return false;
            } catch (OverlappingFileLockException e) {
                return true;
            }
        }
    }

    void release() {
        synchronized (HELD_HERE) {
            if (channel == null) {
                return;
            }
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                // nothing more to release
            }
            channel = null;
            HELD_HERE.remove(folder);
        }
    }

    private static Path key(Path dir) throws IOException {
        return dir.toRealPath();
    }

    private static IllegalStateException inUse(Path dir) {
        return new IllegalStateException("the experience in " + dir + " is open in another store or process");
    }
}
