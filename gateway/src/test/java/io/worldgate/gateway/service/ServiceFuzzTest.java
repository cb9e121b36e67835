package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.proto.service.v1.GatewayGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Sends random bytes, oversized bodies and random well-formed requests to every method of the
 * service for a bounded time, then checks that it still answers, that nothing ever got a server
 * error (UNKNOWN, INTERNAL), that the log stayed short, and that a run stored before the fuzzing
 * is untouched. {@code bench/fuzz/run.sh} is the longer run.
 */
class ServiceFuzzTest {
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int MAX_CALLS = 4000;
    /** Client errors, and DEADLINE_EXCEEDED for a call that waits (StopRun, StreamMetrics of a live run). */
    private static final List<Status.Code> ALLOWED = List.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.DEADLINE_EXCEEDED);
    private static final String[] NASTY = {"", "../../etc/passwd", "random", "java:CartPole", "random@", "@", "a".repeat(5000), "b".repeat(20_000),
            "\u0000", "日本語", "dmc:", "x.jar", "..jar", "/tmp/x.jar", "-1", "NaN", "9999999999999999999"};

    @Test
    void theServiceSurvivesRandomAndMalformedRequests(@TempDir Path tmp) throws Exception {
        try (ServiceFixture service = new ServiceFixture(tmp, "random.jar", null)) {
            Gateway gateway = service.gateway;
            GatewayServer server = service.server;
            RemoteGatewayClient client = service.client;
            RunStatus stored = client.start(RunRequest.of("random", "java:CartPole", 400), null);
            await("stored run finished", 20, () -> client.status(stored.runId()).state() == RunState.FINISHED);
            Map<String, byte[]> before = snapshot(tmp.resolve("runs").resolve(stored.runId()));

            ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            ListAppender<ILoggingEvent> logged = new ListAppender<>();
            logged.start();
            root.addAppender(logged);
            SplittableRandom rng = new SplittableRandom(20261121);
            Map<Status.Code, Integer> wellFormed = new EnumMap<>(Status.Code.class);
            Map<Status.Code, Integer> garbage = new EnumMap<>(Status.Code.class);
            List<String> unexpected = new ArrayList<>();
            List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
            GatewayGrpc.getServiceDescriptor().getMethods().forEach(methods::add);
            long end = System.nanoTime() + BUDGET_NANOS;
            int calls = 0;
            try {
                while (System.nanoTime() < end && calls++ < MAX_CALLS) {
                    MethodDescriptor<?, ?> method = methods.get(rng.nextInt(methods.size()));
                    boolean bytes = rng.nextBoolean();
                    byte[] payload = bytes ? (rng.nextInt(100) == 0 ? new byte[ApiLimits.MAX_REQUEST_BYTES + 1] : randomBytes(rng))
                            : randomMessage(rng, inputType(method)).toByteArray();
                    Status.Code code = RawCalls.call(channel, method, payload, server.token()).getCode();
                    (bytes ? garbage : wellFormed).merge(code, 1, Integer::sum);
                    if (!ALLOWED.contains(code)) {
                        unexpected.add(method.getBareMethodName() + (bytes ? " (random bytes)" : "") + " -> " + code);
                    }
                }
            } finally {
                root.detachAppender(logged);
                channel.shutdownNow();
            }
            System.out.println("fuzz: " + calls + " calls; well-formed " + wellFormed + "; random bytes " + garbage
                    + "; log lines " + logged.list.size());

            assertThat(unexpected).as("requests get client errors, never server errors").isEmpty();
            assertThat(logged.list).as("bad input is logged a line per 10 s at most, without stack traces")
                    .hasSizeLessThanOrEqualTo(5)
                    .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
            assertThat(client.plugins()).extracting(p -> p.file()).contains("random.jar");
            RunStatus after = client.start(RunRequest.of("random", "java:CartPole", 200), null);
            await("a run after the fuzzing", 20, () -> client.status(after.runId()).state() == RunState.FINISHED);
            assertThat(snapshot(tmp.resolve("runs").resolve(stored.runId()))).as("the stored run is untouched")
                    .containsOnlyKeys(before.keySet().toArray(String[]::new))
                    .allSatisfy((file, content) -> assertThat(content).isEqualTo(before.get(file)));
            gateway.runs().close();
        }
    }

    private static Descriptor inputType(MethodDescriptor<?, ?> method) {
        return ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor().getInputType();
    }

    private static byte[] randomBytes(SplittableRandom rng) {
        byte[] b = new byte[rng.nextInt(0, 200)];
        rng.nextBytes(b);
        return b;
    }

    /** A message of {@code type} with every field set to a random, often hostile, value. */
    private static Message randomMessage(SplittableRandom rng, Descriptor type) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        for (FieldDescriptor f : type.getFields()) {
            if (rng.nextInt(4) == 0) {
                continue;
            }
            if (f.isMapField()) {
                Descriptor entry = f.getMessageType();
                for (int i = rng.nextInt(3); i > 0; i--) {
                    b.addRepeatedField(f, DynamicMessage.newBuilder(entry)
                            .setField(entry.findFieldByName("key"), nasty(rng))
                            .setField(entry.findFieldByName("value"), nasty(rng)).build());
                }
                continue;
            }
            Object v = switch (f.getJavaType()) {
                case STRING -> nasty(rng);
                case INT -> rng.nextInt(3) == 0 ? -1 : rng.nextInt(0, Integer.MAX_VALUE);
                case LONG -> rng.nextInt(3) == 0 ? -1L : rng.nextLong(0, 2_000_000L);
                case DOUBLE -> new double[] {Double.NaN, -1, 1e308, 0.5, Double.POSITIVE_INFINITY}[rng.nextInt(5)];
                case FLOAT -> (float) rng.nextDouble();
                case BOOLEAN -> rng.nextBoolean();
                case BYTE_STRING -> ByteString.copyFrom(randomBytes(rng));
                case ENUM -> f.getEnumType().getValues().get(0);
                case MESSAGE -> randomMessage(rng, f.getMessageType());
            };
            if (f.isRepeated()) {
                b.addRepeatedField(f, v);
            } else {
                b.setField(f, v);
            }
        }
        return b.build();
    }

    private static String nasty(SplittableRandom rng) {
        return NASTY[rng.nextInt(NASTY.length)];
    }

    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }
}
