package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.ListPluginsRequest;
import io.worldgate.proto.service.v1.RunRef;
import io.worldgate.proto.service.v1.StartRunRequest;
import io.worldgate.proto.service.v1.SwapAgentRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a hostile client on the same host can send the service, over real loopback gRPC. */
class HostileClientTest {
    private static final String BAD_INPUT_LOGGER = "io.worldgate.gateway.service.internal.BadInputLog";

    @TempDir
    Path tmp;
    private ServiceFixture service;

    @BeforeEach
    void serve() throws Exception {
        service = new ServiceFixture(tmp, "random.jar", null);
    }

    @AfterEach
    void close() {
        service.close();
    }

    private Status call(io.grpc.MethodDescriptor<?, ?> method, byte[] body) {
        return RawCalls.call(service.channel, method, body, service.server.token());
    }

    private void assertNoRunStarted() throws IOException {
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            assertThat(dirs.filter(Files::isDirectory)).as("no run started").isEmpty();
        }
    }

    /** The lines that bad input makes: the service's rate-limited one, and gRPC's own; not other components' warnings. */
    private static boolean aboutBadInput(ILoggingEvent e) {
        return e.getLoggerName().equals(BAD_INPUT_LOGGER) || e.getLoggerName().startsWith("io.grpc.");
    }

    @Test
    void everyCallNeedsTheTokenOnLoopbackToo() {
        Status none = RawCalls.call(service.channel, GatewayGrpc.getListPluginsMethod(), ListPluginsRequest.getDefaultInstance().toByteArray(),
                null);
        assertThat(none.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(call(GatewayGrpc.getListPluginsMethod(), new byte[0]).getCode()).isEqualTo(Status.Code.OK);
    }

    @Test
    void malformedBodiesGetInvalidArgumentAndABoundedLogWithoutStackTraces() {
        // Let through what the test configuration mutes: gRPC's own report of a request it could not handle.
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger executor = (Logger) LoggerFactory.getLogger("io.grpc.internal.SerializingExecutor");
        Level executorLevel = executor.getLevel();
        executor.setLevel(Level.WARN);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        List<Status.Code> codes = new ArrayList<>();
        try {
            // A field tag with wire type 7 (invalid), and a length-delimited field longer than the body.
            byte[][] bodies = {{(byte) 0x0f, 1, 2}, {0x0a, (byte) 0xff, (byte) 0xff, 0x01}};
            for (int i = 0; i < 100; i++) {
                codes.add(call(i % 2 == 0 ? GatewayGrpc.getGetRunMethod() : GatewayGrpc.getStartRunMethod(), bodies[i % 2]).getCode());
            }
        } finally {
            root.detachAppender(logged);
            executor.setLevel(executorLevel);
        }
        assertThat(codes).containsOnly(Status.Code.INVALID_ARGUMENT);
        assertThat(logged.list.stream().filter(HostileClientTest::aboutBadInput).toList()).as("rate-limited: one line per interval")
                .hasSizeLessThanOrEqualTo(2)
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).as("no stack trace for bad input").isNull());
        assertThat(call(GatewayGrpc.getListPluginsMethod(), new byte[0]).getCode()).isEqualTo(Status.Code.OK);
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        byte[] big = RunRef.newBuilder().setRunId("x".repeat(2 * ApiLimits.MAX_REQUEST_BYTES)).build().toByteArray();
        assertThat(call(GatewayGrpc.getGetRunMethod(), big).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(call(GatewayGrpc.getListPluginsMethod(), new byte[0]).getCode()).isEqualTo(Status.Code.OK);
    }

    @Test
    void aLongIdGetsInvalidArgumentWithAShortMessage() throws Exception {
        for (int length : new int[] {7_000, 20_000}) {
            Status s = call(GatewayGrpc.getGetRunMethod(), RunRef.newBuilder().setRunId("r".repeat(length)).build().toByteArray());
            assertThat(s.getCode()).as("id of %d chars", length).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).hasSizeLessThan(300).contains("run_id").contains(Integer.toString(length));
        }
        StartRunRequest.Builder manyOptions = StartRunRequest.newBuilder().setAgent("random").setEnv("java:CartPole").setSteps(10);
        for (int i = 0; i <= ApiLimits.MAX_MAP_ENTRIES; i++) {
            manyOptions.putEnvOptions("k" + i, "v");
        }
        Status s = call(GatewayGrpc.getStartRunMethod(), manyOptions.build().toByteArray());
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).contains("env_options");
        assertNoRunStarted();
    }

    @Test
    void numbersOutsideTheirLimitsAreInvalidArgumentAndStartNothing() throws Exception {
        StartRunRequest ok = StartRunRequest.newBuilder().setAgent("random").setEnv("java:CartPole").setSteps(100).build();
        // uint32 2^32-1 arrives in Java as -1; 2^31-1 evaluation episodes would keep a run evaluating for ever.
        List<StartRunRequest> bad = List.of(ok.toBuilder().setEvalEpisodes(-1).build(),
                ok.toBuilder().setEvalEpisodes(Integer.MAX_VALUE).build(), ok.toBuilder().setNumEnvs(-1).build(),
                ok.toBuilder().setSteps(-1L).build(), ok.toBuilder().setTrainRatio(1e9).build(),
                ok.toBuilder().setKeepCheckpoints(-1).build(), ok.toBuilder().setExperienceCapacityBytes(-1L).build());
        for (StartRunRequest r : bad) {
            Status s = call(GatewayGrpc.getStartRunMethod(), r.toByteArray());
            assertThat(s.getCode()).as(r.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        assertThat(call(GatewayGrpc.getStartRunMethod(), ok.toBuilder().setEvalEpisodes(-1).build().toByteArray()).getDescription())
                .contains("eval_episodes").contains("4294967295");
        assertNoRunStarted();
        // SwapAgent's wait: 2^32-1 seconds read as -1 passed an "at most 600" check
        SwapAgentRequest swap = SwapAgentRequest.newBuilder().setRunId("any").setAgent("random").setWait(true)
                .setWaitSeconds(-1).build();
        assertThat(call(GatewayGrpc.getSwapAgentMethod(), swap.toByteArray()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
