package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.RunRef;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gzip body is small on the wire and large once read: the service counts what it parses, so the
 * limit on a method's body holds for compressed bodies too.
 */
class CompressedBodyTest {

    @Test
    void aCompressedBodyOverTheLimitIsRefusedLikeAPlainOne(@TempDir Path tmp) throws Exception {
        try (ServiceFixture service = new ServiceFixture(tmp, "random.jar", null)) {
            // 4 MiB of one letter: a few KiB compressed, under every transport limit
            byte[] big = RunRef.newBuilder().setRunId("x".repeat(4 * ApiLimits.MAX_REQUEST_BYTES)).build().toByteArray();
            Status gzip = RawCalls.call(service.channel, GatewayGrpc.getGetRunMethod(), big, service.server.token(), "gzip");
            assertThat(gzip.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            byte[] small = RunRef.newBuilder().setRunId("no-such-run").build().toByteArray();
            Status fine = RawCalls.call(service.channel, GatewayGrpc.getGetRunMethod(), small, service.server.token(), "gzip");
            assertThat(fine.getCode()).as("a small compressed body is parsed").isEqualTo(Status.Code.NOT_FOUND);
        }
    }
}
