package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.testplugins.filewriter.FileWriterFactory;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.InstallPluginRequest;
import io.worldgate.proto.service.v1.Plugin;
import io.worldgate.proto.service.v1.UninstallPluginRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real plugin jar that writes a file when it starts, sent to InstallPlugin. */
class PluginInstallGuardTest {
    @TempDir
    Path tmp;
    private ServiceFixture service;
    private Path written;
    private InstallPluginRequest hostile;

    @BeforeEach
    void setUp() throws Exception {
        service = new ServiceFixture(tmp, "random.jar", null);
        written = tmp.resolve("written-by-plugin.txt");
        System.setProperty(FileWriterFactory.TARGET, written.toString());
        Path jar = TestBundles.testPlugin(tmp.resolve("build").resolve("filewriter.jar"), "filewriter", "1.0.0");
        hostile = InstallPluginRequest.newBuilder().setFileName("filewriter.jar")
                .setJar(ByteString.copyFrom(Files.readAllBytes(jar))).build();
    }

    @AfterEach
    void tearDown() {
        service.close();
        System.clearProperty(FileWriterFactory.TARGET);
    }

    private static GatewayGrpc.GatewayBlockingStub stub(ManagedChannel channel, GatewayServer server) {
        return GatewayGrpc.newBlockingStub(channel).withCallCredentials(ServiceTest.bearer(server.token()));
    }

    @Test
    void aServiceNotStartedToAllowInstallsRefusesThemAndThePluginNeverRuns() throws Exception {
        GatewayGrpc.GatewayBlockingStub gateway = service.stub();
        assertThatThrownBy(() -> gateway.installPlugin(hostile)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> gateway.uninstallPlugin(UninstallPluginRequest.newBuilder().setFileName("random.jar").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // The refusal comes before the body is read: no jar under any name reached the deploy directory, the only
        // way in for a bundle, so there is nothing for FileInstall to start later and no need to wait for it.
        try (Stream<Path> files = Files.list(service.deploy)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("random.jar");
        }
        assertThat(service.client.plugins()).extracting(PluginInfo::file).containsExactly("random.jar");
        assertThat(written).as("the plugin never ran").doesNotExist();
    }

    @Test
    void aServiceStartedToAllowInstallsInstallsIt() throws Exception {
        try (GatewayServer open = GatewayServer.start(service.gateway, "127.0.0.1", 0, null, true)) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(open.address()).usePlaintext().build();
            try {
                Plugin p = stub(channel, open).installPlugin(hostile);
                assertThat(p.getState()).isEqualTo("ACTIVE");
                assertThat(p.getAgentsList()).containsExactly("filewriter");
            } finally {
                channel.shutdownNow();
            }
        }
        assertThat(written).as("the same jar runs its code once allowed in").exists();
    }
}
