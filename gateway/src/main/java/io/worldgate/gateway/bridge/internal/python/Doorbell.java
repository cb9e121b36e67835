package io.worldgate.gateway.bridge.internal.python;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Unix socket of transport {@code shm}: one byte each way per step ({@link #STEP}), and
 * length-prefixed protobuf frames ({@link #FRAME}, uint32 little-endian length) for the rest.
 * Reads wait on a {@link Selector} so that every wait has a deadline; the worker's death shows as
 * an end of file. Every successful step brings exactly one {@code S} back, also when its answer was
 * already seen in the step channel ({@link #owe()}): those bytes are skipped as they come, so the
 * stream stays in order whichever way an answer was noticed.
 */
final class Doorbell implements AutoCloseable {
    static final byte STEP = 'S';
    static final byte FRAME = 'R';
    /** The largest frame accepted, as gRPC's inbound limit. */
    static final int MAX_FRAME_BYTES = GrpcConnection.MAX_MESSAGE_BYTES;

    private final Path path;
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private final ByteBuffer length = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
    /** {@code S} bytes of answers already read from the step channel, not yet read from the socket. */
    private int owed;

    Doorbell(Path path) throws IOException {
        this.path = path;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        this.channel = ch;
    }

    Path path() {
        return path;
    }

    /** Rings: the step's actions are in the step channel. */
    void ring() throws IOException {
        one.clear().put(STEP).flip();
        writeFully(one);
    }

    /** Sends a request frame. */
    void send(byte[] message) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + message.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(FRAME).putInt(message.length).put(message).flip();
        writeFully(b);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                Thread.onSpinWait(); // the socket buffer is full: the worker is reading a large frame
            }
        }
    }

    /**
     * A step's answer was read from the step channel: its {@code S} will come too, and is skipped.
     * Reads the owed bytes already there without waiting (only those can be: the worker sends
     * nothing more before the next request), so that they do not pile up in the socket.
     */
    void owe() throws IOException {
        owed++;
        while (owed > 0) {
            one.clear();
            int r = channel.read(one);
            if (r < 0) {
                throw new EOFException("the worker closed its doorbell socket " + path);
            }
            if (r == 0) {
                return;
            }
            skipOwed(one.get(0));
        }
    }

    private void skipOwed(byte b) throws IOException {
        if (b != STEP) {
            throw new IOException("the worker sent " + (char) b + " where the S of an answer already read was due");
        }
        owed--;
    }

    /**
     * The worker's answer byte, {@link #STEP} or {@link #FRAME}, waiting until {@code deadlineNanos}
     * ({@link System#nanoTime}); owed bytes before it are skipped.
     */
    byte answer(long deadlineNanos) throws IOException, TimeoutException, InterruptedException {
        while (true) {
            one.clear();
            readFully(one, deadlineNanos);
            if (owed == 0) {
                return one.get(0);
            }
            skipOwed(one.get(0));
        }
    }

    /** The frame that follows a {@link #FRAME} answer. */
    byte[] frame(long deadlineNanos) throws IOException, TimeoutException, InterruptedException {
        length.clear();
        readFully(length, deadlineNanos);
        int n = length.getInt(0);
        if (n < 0 || n > MAX_FRAME_BYTES) {
            throw new IOException("a frame of " + Integer.toUnsignedString(n) + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(b, deadlineNanos);
        return b.array();
    }

    private void readFully(ByteBuffer b, long deadlineNanos) throws IOException, TimeoutException, InterruptedException {
        while (b.hasRemaining()) {
            int r = channel.read(b);
            if (r < 0) {
                throw new EOFException("the worker closed its doorbell socket " + path);
            }
            if (r > 0) {
                continue;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            selector.selectedKeys().clear();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to do
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
