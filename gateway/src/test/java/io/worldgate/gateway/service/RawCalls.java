package io.worldgate.gateway.service;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/** Calls a method of the service with any bytes as its body, as a hostile client can. */
final class RawCalls {
    private RawCalls() {}

    /** The status of calling {@code method} with {@code body}, the token sent unless it is null. */
    static Status call(ManagedChannel channel, MethodDescriptor<?, ?> method, byte[] body, String token) {
        return call(channel, method, body, token, null);
    }

    /** As {@link #call(ManagedChannel, MethodDescriptor, byte[], String)}, the body compressed by {@code compressor} (e.g. gzip) unless null. */
    static Status call(ManagedChannel channel, MethodDescriptor<?, ?> method, byte[] body, String token, String compressor) {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING
                        ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method.getFullMethodName())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        var ch = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
        if (compressor != null) {
            options = options.withCompression(compressor);
        }
        try {
            if (raw.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(ch, raw, options, body);
            } else {
                Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(ch, raw, options, body);
                for (int i = 0; i < 3 && it.hasNext(); i++) {
                    it.next();
                }
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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
