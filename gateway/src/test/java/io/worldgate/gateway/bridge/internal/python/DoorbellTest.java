package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's side of the doorbell against a socket this test writes to: owed S bytes in the stream. */
class DoorbellTest {
    private static final long SOON = 5_000_000_000L;

    private static void send(SocketChannel worker, byte... bytes) throws IOException {
        worker.write(ByteBuffer.wrap(bytes));
    }

    private static long deadline() {
        return System.nanoTime() + SOON;
    }

    @Test
    void theBytesOfAnswersTakenFromTheStepChannelAreSkippedWhenTheyCome(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("bell.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (Doorbell bell = new Doorbell(path); SocketChannel worker = server.accept()) {
                bell.owe(); // step 1 answered through the counter; its S has not come yet
                send(worker, Doorbell.STEP); // step 1's late S, then step 2's answer
                send(worker, Doorbell.STEP);
                assertThat(bell.answer(deadline())).isEqualTo(Doorbell.STEP);

                send(worker, Doorbell.STEP); // step 3: its S is already there when the answer is taken
                Thread.sleep(50);
                bell.owe(); // reads it at once
                byte[] frame = {7, 8, 9};
                ByteBuffer b = ByteBuffer.allocate(5 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
                b.put(Doorbell.FRAME).putInt(frame.length).put(frame).flip();
                worker.write(b); // a reset's answer: nothing owed before it
                assertThat(bell.answer(deadline())).isEqualTo(Doorbell.FRAME);
                assertThat(bell.frame(deadline())).containsExactly(frame);

                bell.owe(); // an owed S that turns out to be something else: the stream is out of step
                send(worker, Doorbell.FRAME);
                assertThatThrownBy(() -> bell.answer(deadline())).isInstanceOf(IOException.class);
            }
        }
    }
}
