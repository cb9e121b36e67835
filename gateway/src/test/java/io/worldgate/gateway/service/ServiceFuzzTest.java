package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.stub.ClientCalls;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.proto.service.v1.GatewayGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends random bytes and random well-formed requests to every method of the service for a
 * bounded time, then checks that it still answers, that well-formed nonsense only ever got a
 * clear client-side error, and that a run stored before the fuzzing is untouched.
 */
class ServiceFuzzTest {
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int MAX_CALLS = 4000;
    private static final String[] NASTY = {"", "../../etc/passwd", "random", "java:CartPole", "random@", "@", "a".repeat(5000),
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
                    byte[] payload = bytes ? randomBytes(rng) : randomMessage(rng, inputType(method)).toByteArray();
                    Status.Code code = call(channel, method, payload);
                    (bytes ? garbage : wellFormed).merge(code, 1, Integer::sum);
                    if (!bytes && !List.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
                            Status.Code.FAILED_PRECONDITION, Status.Code.DEADLINE_EXCEEDED).contains(code)) {
                        unexpected.add(method.getBareMethodName() + " -> " + code);
                    }
                }
            } finally {
                channel.shutdownNow();
            }
            System.out.println("fuzz: " + calls + " calls; well-formed " + wellFormed + "; random bytes " + garbage);

            assertThat(unexpected).as("well-formed requests get client errors, never server errors").isEmpty();
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

    private static Status.Code call(ManagedChannel channel, MethodDescriptor<?, ?> method, byte[] payload) {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING
                        ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method.getFullMethodName())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS);
        try {
            if (raw.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(channel, raw, options, payload);
            } else {
                Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel, raw, options, payload);
                for (int i = 0; i < 3 && it.hasNext(); i++) {
                    it.next();
                }
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
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

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };
}
