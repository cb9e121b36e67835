package io.worldgate.gateway.cli;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.metrics.PrometheusEndpoint;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.GatewayServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate serve}: the headless service. */
@Command(name = "serve", description = "Run the gateway as a headless service with a gRPC API (proto/worldgate/service/v1).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "7420", description = "Port; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--metrics-port", defaultValue = "7421",
            description = "Port of the Prometheus /metrics endpoint; -1 for none (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1",
            description = "Address of the /metrics endpoint (default: ${DEFAULT-VALUE}); beyond loopback it requires the token.")
    String metricsBind;

    @Option(names = "--allow-plugin-install",
            description = "Let InstallPlugin and UninstallPlugin change the deploy directory over the API. A plugin runs with"
                    + " this process's rights: whoever holds the token can then run code here.")
    boolean allowPluginInstall;

    @Option(names = "--allow-env-worker", paramLabel = "HOST:PORT", description = "A worker started by you "
            + "(python -m worldgate_envs serve ... --listen HOST:PORT) that runs may use through the env option "
            + "bridge.env_workers; repeatable. Runs may name no other.")
    List<String> allowedEnvWorkers = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // --token-file or WORLDGATE_TOKEN set the token calls must carry; else one is made up.
        String token = main.givenToken();
        Gateway gateway = Gateway.start(main.pluginsDir, main.runsDir,
                BridgeConfig.defaults().withAllowedEnvWorkers(allowedEnvWorkers));
        GatewayServer server;
        try {
            server = GatewayServer.start(gateway, bind, port, token, allowPluginInstall);
        } catch (java.io.IOException e) {
            gateway.close();
            throw new IllegalArgumentException("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
        }
        PrometheusEndpoint metrics = null;
        if (metricsPort >= 0) {
            try {
                InetAddress at = InetAddress.getByName(metricsBind);
                metrics = PrometheusEndpoint.start(gateway.metrics(), new InetSocketAddress(at, metricsPort),
                        at.isLoopbackAddress() ? null : server.token());
            } catch (java.io.IOException e) {
                server.close();
                gateway.close();
                throw new IllegalArgumentException("cannot serve metrics on " + metricsBind + ":" + metricsPort + ": " + e.getMessage()
                        + " (choose another --metrics-port, or -1 for none)");
            }
        }
        PrometheusEndpoint metricsEndpoint = metrics;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("[worldgate] stopping: every run checkpoints its agent ...");
            if (metricsEndpoint != null) {
                metricsEndpoint.close();
            }
            server.close();
            gateway.close();
            stopped.countDown();
        }, "serve-shutdown"));
        System.out.println("worldgate gateway serving on " + server.address() + " (plugins " + gateway.plugins().deployDirectory()
                + ", runs " + gateway.runs().runsDirectory() + ")");
        if (metricsEndpoint != null) {
            System.out.println("metrics: " + metricsEndpoint.uri());
        }
        // The token itself stays out of the output, which often ends up in logs others read.
        System.out.println("token: in " + gateway.runs().runsDirectory().resolve(GatewayServer.DISCOVERY_FILE)
                + " (readable by you only); calls need 'authorization: Bearer <token>'");
        System.out.println("plugin installs over the API: " + (allowPluginInstall ? "allowed" : "off (--allow-plugin-install)"));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
