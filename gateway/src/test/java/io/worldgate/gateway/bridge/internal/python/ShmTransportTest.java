package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.StatusCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transport shm against a real worker: the session stays in step, or says it is not. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmTransportTest {

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    private static PythonWorker start(Map<String, String> options) {
        return new WorkerStarter("const:2", options, fast(1, Transport.SHM)).start(0, 1, 0);
    }

    private static WorkerProtocol protocol() {
        return new WorkerProtocol("const:2", BoxSpace.uniform(DType.FLOAT32, -1, 1, 1));
    }

    private static ByteBuffer zeros() {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void aRequestSentBeforeTheLastAnswerWasReadBreaksTheSessionInsteadOfReadingThatAnswer() throws Exception {
        PythonWorker w = start(Map.of());
        try {
            WorkerProtocol p = protocol();
            p.resetNow(0, w, 0, Duration.ofSeconds(20));
            CompletableFuture<EnvResponse> first = w.submit(p.stepRequest(zeros(), 0, 1));
            CompletableFuture<EnvResponse> second = w.submit(p.stepRequest(zeros(), 0, 1));
            assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(WorkerFailure.class, f -> assertThat(f.kind()).isEqualTo(WorkerFailure.Kind.DISCONNECTED));
            assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkerFailure.class); // broken: the supervisor restarts the worker
        } finally {
            w.kill();
        }
    }

    @Test
    void noAnswerByTheDeadlineIsATimeoutAndTheSessionStaysBroken() throws Exception {
        PythonWorker w = start(Map.of("hang_at", "1"));
        try {
            WorkerProtocol p = protocol();
            p.resetNow(0, w, 0, Duration.ofSeconds(20));
            CompletableFuture<EnvResponse> hung = w.submit(p.stepRequest(zeros(), 0, 1));
            long start = System.nanoTime();
            assertThatThrownBy(() -> hung.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThatThrownBy(() -> w.submit(p.stepRequest(zeros(), 0, 1)).get()).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(WorkerFailure.class, f -> assertThat(f.kind()).isEqualTo(WorkerFailure.Kind.DISCONNECTED));
        } finally {
            w.kill();
        }
    }

    @Test
    void answersSeenInTheStepChannelKeepTheStreamInOrderThroughAFailedStepAndAReset() throws Exception {
        // Both sides watch the counters (a 2 ms budget): the S bytes of answers taken from them must be
        // skipped, or the failed step's frame or the reset's would be misread. How many answers are
        // taken that way depends on the machine's load; DoorbellTest covers the skipping alone.
        PythonWorker w;
        System.setProperty(WorkerStarter.SPIN_PROPERTY, "2000");
        try {
            w = start(Map.of("fail_at", "40"));
        } finally {
            System.clearProperty(WorkerStarter.SPIN_PROPERTY);
        }
        try {
            WorkerProtocol p = protocol();
            for (int episode = 0; episode < 2; episode++) {
                assertThat(p.resetNow(0, w, episode, Duration.ofSeconds(20)).getEpisodeSteps(0)).isZero();
                for (int t = 1; t < 40; t++) {
                    EnvResponse r = w.submit(p.stepRequest(zeros(), 0, 1)).get(20, TimeUnit.SECONDS);
                    assertThat(r.getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_OK);
                    assertThat(r.getStep().getEpisodeSteps(0)).isEqualTo(t);
                }
                EnvResponse failed = w.submit(p.stepRequest(zeros(), 0, 1)).get(20, TimeUnit.SECONDS);
                assertThat(failed.getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_ENV_ERROR);
            }
        } finally {
            w.kill();
        }
    }
}
