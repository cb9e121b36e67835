import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The long fuzz of bench/fuzz/run.sh (the short one is ServiceFuzzTest). Talks to a running
 * `worldgate serve` found through its discovery file, with its token, and watches its process.
 */
public final class ServiceFuzzBench {
    private static final String[] NASTY = {"", "../../etc/passwd", "random", "java:CartPole", "random@", "@", "a".repeat(5000),
            "b".repeat(20_000), "\u0000", "日本語", "dmc:", "x.jar", "..jar", "/tmp/x.jar", "-1", "NaN", "9999999999999999999"};
    private static final String[] KINDS = {"random bytes", "oversized body (2-64 MiB)", "well-formed message", "bit-flipped message"};

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        JsonNode discovery = new ObjectMapper().readTree(Path.of(a.get("discovery")).toFile());
        long pid = Long.parseLong(a.get("pid"));
        Path log = Path.of(a.get("log"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "60"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "4"));
        Metadata headers = new Metadata();
        if (discovery.hasNonNull("token")) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + discovery.get("token").asText());
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(discovery.get("address").asText()).usePlaintext().build();
        var ch = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
        io.worldgate.proto.service.v1.GatewayGrpc.getServiceDescriptor().getMethods().forEach(methods::add);

        Thread.sleep(2000); // let the service settle after start
        long rssBefore = status(pid, "VmRSS");
        long logBefore = Files.size(log);
        Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        Map<String, LongAdder> unexpected = new ConcurrentHashMap<>();
        Map<String, LongAdder> slow = new ConcurrentHashMap<>();
        AtomicLong requests = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SplittableRandom rng = new SplittableRandom(20261206L + t);
            Thread w = new Thread(() -> {
                while (System.nanoTime() < end && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    MethodDescriptor<?, ?> method = methods.get(rng.nextInt(methods.size()));
                    int kind = rng.nextInt(500) == 0 ? 1 : new int[] {0, 2, 2, 3}[rng.nextInt(4)];
                    byte[] body = switch (kind) {
                        case 0 -> randomBytes(rng);
                        case 1 -> new byte[rng.nextInt(2 << 20, 64 << 20)];
                        case 2 -> randomMessage(rng, inputType(method)).toByteArray();
                        default -> flip(rng, randomMessage(rng, inputType(method)).toByteArray());
                    };
                    Status.Code code = call(ch, method, body);
                    requests.incrementAndGet();
                    codes.computeIfAbsent(code.name(), k -> new LongAdder()).increment();
                    if (code == Status.Code.DEADLINE_EXCEEDED) {
                        slow.computeIfAbsent(method.getBareMethodName() + " " + KINDS[kind], k -> new LongAdder()).increment();
                    }
                    if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL || code == Status.Code.UNAVAILABLE) {
                        unexpected.computeIfAbsent(method.getBareMethodName() + " " + KINDS[kind] + " -> " + code, k -> new LongAdder())
                                .increment();
                    }
                }
            }, "fuzz-" + t);
            w.start();
            workers.add(w);
        }
        long peakSeen = rssBefore;
        while (workers.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(500);
            peakSeen = Math.max(peakSeen, status(pid, "VmRSS"));
        }
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        // A fresh connection: the service must answer others whatever the fuzzing did to its own.
        ManagedChannel fresh = NettyChannelBuilder.forTarget(discovery.get("address").asText()).usePlaintext().build();
        Status.Code after = alive ? call(ClientInterceptors.intercept(fresh, MetadataUtils.newAttachHeadersInterceptor(headers)),
                io.worldgate.proto.service.v1.GatewayGrpc.getListPluginsMethod(), new byte[0]) : Status.Code.UNAVAILABLE;
        Status.Code afterSame = alive ? call(ch, io.worldgate.proto.service.v1.GatewayGrpc.getListPluginsMethod(), new byte[0])
                : Status.Code.UNAVAILABLE;
        fresh.shutdownNow();
        long rssAfter = alive ? status(pid, "VmRSS") : -1;
        long hwm = alive ? status(pid, "VmHWM") : -1;
        long logAfter = Files.size(log);
        long stackLines;
        try (var lines = Files.lines(log)) {
            stackLines = lines.filter(l -> l.startsWith("\tat ")).count();
        }
        channel.shutdownNow();

        StringBuilder md = new StringBuilder();
        md.append("# gRPC service fuzz\n\n`./worldgate bench fuzz ").append(seconds).append(' ').append(threads)
                .append("` (bench/fuzz/run.sh): a real `worldgate serve` on loopback with the random plugin, ").append(threads)
                .append(" client threads sending random bytes, bodies of 2-64 MiB (0.2%), random well-formed and bit-flipped"
                        + " requests to every RPC, with the token, 2 s deadline per call. Run ")
                .append(Instant.now().toString(), 0, 16).append(" UTC on ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs.\n\n");
        md.append("| figure | value |\n|---|---|\n");
        md.append("| requests | ").append(requests.get()).append(" (").append(requests.get() / Math.max(1, seconds)).append("/s) |\n");
        new TreeMap<>(codes).forEach((c, n) -> md.append("| status ").append(c).append(" | ").append(n.sum()).append(" |\n"));
        md.append("| UNKNOWN / INTERNAL / UNAVAILABLE | ").append(unexpected.values().stream().mapToLong(LongAdder::sum).sum())
                .append(" |\n");
        md.append("| service crashed | ").append(alive ? "no" : "YES").append(" |\n");
        md.append("| service answers afterwards (ListPlugins, new connection) | ").append(after).append(" |\n");
        md.append("| the fuzzing connection answers afterwards | ").append(afterSame).append(" |\n");
        md.append("| RSS before | ").append(rssBefore / 1024).append(" MiB |\n");
        md.append("| RSS peak (sampled 2/s; VmHWM) | ").append(peakSeen / 1024).append(" MiB (").append(hwm / 1024).append(" MiB) |\n");
        md.append("| RSS after | ").append(rssAfter / 1024).append(" MiB |\n");
        md.append("| log written during the fuzz | ").append(logAfter - logBefore).append(" bytes, ").append(stackLines)
                .append(" stack-trace lines in all |\n");
        if (!unexpected.isEmpty()) {
            md.append("\nServer errors:\n\n");
            new TreeMap<>(unexpected).forEach((k, n) -> md.append("- ").append(k).append(": ").append(n.sum()).append('\n'));
        }
        if (!slow.isEmpty()) {
            md.append("\nCalls past their 2 s deadline (StopRun and StreamMetrics of a running run wait by design):\n\n");
            new TreeMap<>(slow).forEach((k, n) -> md.append("- ").append(k).append(": ").append(n.sum()).append('\n'));
        }
        Files.writeString(Path.of(a.get("out")), md.toString());
        System.out.print(md);
        System.exit(unexpected.isEmpty() && alive && after == Status.Code.OK ? 0 : 1);
    }

    /** A field of /proc/PID/status in KiB. */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static Descriptor inputType(MethodDescriptor<?, ?> method) {
        return ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor().getInputType();
    }

    private static Status.Code call(io.grpc.Channel ch, MethodDescriptor<?, ?> method, byte[] body) {
        boolean streaming = method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING;
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(streaming ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method.getFullMethodName()).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS);
        try {
            if (streaming) {
                Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(ch, raw, options, body);
                for (int i = 0; i < 3 && it.hasNext(); i++) {
                    it.next();
                }
            } else {
                ClientCalls.blockingUnaryCall(ch, raw, options, body);
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

    private static byte[] flip(SplittableRandom rng, byte[] b) {
        for (int i = 0; i < 3 && b.length > 0; i++) {
            b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
        }
        return b;
    }

    private static DynamicMessage randomMessage(SplittableRandom rng, Descriptor type) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        for (FieldDescriptor f : type.getFields()) {
            if (rng.nextInt(4) == 0) {
                continue;
            }
            if (f.isMapField()) {
                Descriptor entry = f.getMessageType();
                for (int i = rng.nextInt(rng.nextInt(20) == 0 ? 200 : 3); i > 0; i--) {
                    b.addRepeatedField(f, DynamicMessage.newBuilder(entry).setField(entry.findFieldByName("key"), nasty(rng))
                            .setField(entry.findFieldByName("value"), nasty(rng)).build());
                }
                continue;
            }
            Object v = switch (f.getJavaType()) {
                case STRING -> nasty(rng);
                case INT -> new int[] {-1, 0, 1, Integer.MAX_VALUE, rng.nextInt()}[rng.nextInt(5)];
                case LONG -> new long[] {-1L, 0L, 1L, Long.MAX_VALUE, rng.nextLong(0, 2_000_000L)}[rng.nextInt(5)];
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
