package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.FlaggingEnvs;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunFixtures;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.proto.service.v1.AgentDescription;
import io.worldgate.proto.service.v1.ConfigKeyInfo;
import io.worldgate.proto.service.v1.DescribeAgentRequest;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.ListPluginsRequest;
import io.worldgate.proto.service.v1.MetricEvent;
import io.worldgate.proto.service.v1.Run;
import io.worldgate.proto.service.v1.RunRef;
import io.worldgate.proto.service.v1.StreamMetricsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC service over real loopback sockets, driven through the CLI's client. */
class ServiceTest {
    @TempDir
    Path tmp;
    private ServiceFixture service;
    private Gateway gateway;
    private GatewayServer server;
    private RemoteGatewayClient client;

    @BeforeEach
    void serve() throws Exception {
        service = new ServiceFixture(tmp, "random-1.jar", "1.0.0");
        gateway = service.gateway;
        server = service.server;
        client = service.client;
    }

    @AfterEach
    void close() {
        service.close();
    }

    private static RunRequest endless(String env) {
        return new RunRequest("random", null, Map.of("act_delay_ms", "1"), env, Map.of(), 2, 100_000_000L, 3, 0, 0, 500, 0, 1, "cpu");
    }

    @Test
    void twoRunsASwapAStopAResumeAndAnEvaluation() throws Exception {
        assertThat(Files.readString(tmp.resolve("runs").resolve(GatewayServer.DISCOVERY_FILE))).contains(server.address());
        RunFixtures.Events events = new RunFixtures.Events();
        RunStatus a = client.start(endless("java:CartPole"), events);
        RunStatus b = client.start(endless("java:PointMass"), null);
        assertThat(a.runId()).isNotEqualTo(b.runId());
        await("both running", 20, () -> client.status(a.runId()).step() > 600 && client.status(b.runId()).step() > 600);
        assertThat(client.runs(false)).extracting(RunStatus::runId).contains(a.runId(), b.runId());

        // A newer version beside the old one; swap run a to it by name@version.
        TestBundles.withVersion(TestBundles.randomPlugin(), gateway.plugins().deployDirectory().resolve("random-2.jar"), "2.0.0");
        await("2.0.0 deployed", 20, () -> gateway.plugins().factories().size() == 2);
        await("both runs on 2.0.0 (the highest version wins)", 30,
                () -> "random@2.0.0".equals(client.status(a.runId()).agent()) && "random@2.0.0".equals(client.status(b.runId()).agent()));
        client.swap(a.runId(), "random@1.0.0");
        await("run a pinned back to 1.0.0", 30, () -> "random@1.0.0".equals(client.status(a.runId()).agent()));
        // The typed events come back through the stream as they were sent.
        await("the 1.0.0 agent took over", 10, () -> events.of(RunEvent.AgentCreated.class).stream()
                .anyMatch(c -> c.agent().equals("random@1.0.0") && c.checkpointLoaded() && !c.checkpoint().isEmpty()));
        assertThat(events.of(RunEvent.AgentSwapped.class)).anySatisfy(s -> {
            assertThat(s.to()).isEqualTo("random@1.0.0");
            assertThat(s.cause()).isEqualTo(RunEvent.AgentSwapped.Cause.REQUESTED);
        });
        assertThat(events.of(RunEvent.SwapRequested.class)).extracting(RunEvent.SwapRequested::requested).contains("random@1.0.0");
        assertThatThrownBy(() -> client.swap(a.runId(), "dreamer")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no deployed plugin offers agent 'dreamer'");

        // Stop b: it checkpoints; resume it: the step counter goes on from the checkpoint.
        RunStatus stopped = client.stop(b.runId());
        assertThat(stopped.state()).isEqualTo(RunState.STOPPED);
        RunStatus resumed = client.resume(b.runId(), null);
        assertThat(resumed.step()).isEqualTo(stopped.step());
        await("b counting on", 20, () -> client.status(b.runId()).step() > stopped.step() + 100);

        EvaluationResult eval = client.evaluate(a.runId(), null, 3, 7);
        assertThat(eval.returns()).hasSize(3).allSatisfy(r -> assertThat(r).isGreaterThan(0));
        // Played by the version that wrote the checkpoint, not simply the highest deployed.
        java.util.Properties written = new java.util.Properties();
        try (var in = Files.newInputStream(tmp.resolve("runs").resolve(a.runId()).resolve("checkpoints")
                .resolve(eval.checkpoint()).resolve("checkpoint.properties"))) {
            written.load(in);
        }
        assertThat(eval.agent()).isEqualTo("random@" + written.getProperty("version"));

        // The swap is part of the run: stopped and resumed, run a goes on with the agent it was swapped to.
        RunStatus aStopped = client.stop(a.runId());
        RunStatus aResumed = client.resume(a.runId(), null);
        await("a resumed", 30, () -> client.status(a.runId()).agent() != null && client.status(a.runId()).step() > aStopped.step());
        assertThat(client.status(a.runId()).agent()).isEqualTo("random@1.0.0");
        assertThat(aResumed.episodes()).as("the episode count goes on too").isEqualTo(aStopped.episodes());

        assertThatThrownBy(() -> client.status("no-such-run")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.resume(a.runId(), null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stop it before resuming");
    }

    @Test
    void anEvaluationOverGrpcCarriesTheMeansOfTheNumbersTheEnvReports() throws Exception {
        gateway.envs().register(new FlaggingEnvs());
        RunStatus s = client.start(new RunRequest("random", null, Map.of(), "flagging:PointMass", Map.of(), 2, 100, 3, 0, 0,
                0, 0, 1, "cpu"), null);
        await("finished", 30, () -> client.status(s.runId()).state() == RunState.FINISHED);

        // 2 episodes, one on each of 2 envs, of which the first reports success 1 and the second 0
        EvaluationResult eval = client.evaluate(s.runId(), null, 2, 7);

        assertThat(eval.returns()).hasSize(2);
        assertThat(eval.meanInfos()).containsExactly(Map.entry("success", 0.5));
    }

    @Test
    void thePythonClientExampleDrivesTheService() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path python = Path.of(System.getProperty("worldgate.python", repo.resolve(".venv/bin/python").toString()));
        assertThat(python).as("the project venv (made by ./worldgate test)").exists();
        Process p = new ProcessBuilder(python.toString(), repo.resolve("env-bridge-python/examples/gateway_service_client.py").toString(),
                "--address", server.address(), "--runs-dir", tmp.resolve("runs").toString(), "--steps", "1200")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("plugins: random-1.jar ACTIVE ['random']")
                .contains("random@1.0.0 config: action_scale=1.0, act_delay_ms=0 presets: default, gentle")
                .containsPattern("run \\S+: FINISHED at step 1200 of 1200, \\d+ episodes")
                .contains("checkpoints written: 0001-step600-random-1.0.0, 0002-step1200-random-1.0.0")
                .containsPattern("evaluation of 0002-step1200-random-1\\.0\\.0 by random@1\\.0\\.0: mean return \\d+")
                .contains("unknown run -> NOT_FOUND: no run 'no-such-run'");
    }

    @Test
    void aRunLeavesItsMetricsTensorBoardFileAndLearningCurveAndPrometheusSeesIt() throws Exception {
        RunStatus s = client.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 2, 4_000, 1, 0, 0, 0,
                1_000, 2, "cpu"), null);
        await("finished", 30, () -> client.status(s.runId()).state() == RunState.FINISHED);
        Path dir = Path.of(client.runDirectory(s.runId()));
        List<String> jsonl = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(jsonl).anyMatch(l -> l.contains("\"tag\":\"episode/return\""))
                .filteredOn(l -> l.contains("\"tag\":\"eval/return\"")).hasSize(4);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("events.out.tfevents."))
                    .contains("learning_curve.png", "status.json", "config.json", "experience", "checkpoints");
        }
        assertThat(javax.imageio.ImageIO.read(dir.resolve("learning_curve.png").toFile()).getWidth()).isGreaterThan(100);
        try (var endpoint = io.worldgate.gateway.metrics.PrometheusEndpoint.start(gateway.metrics(), 0)) {
            String scraped = new String(endpoint.uri().toURL().openStream().readAllBytes());
            assertThat(scraped).contains("worldgate_run_steps_total{run=\"" + s.runId() + "\"} 4000");
        }
    }

    @Test
    void badRequestsGetClearErrorsAndChangeNothing() throws Exception {
        assertThatThrownBy(() -> client.start(new RunRequest("random", null, Map.of("learning_rate", "1"), "java:CartPole", Map.of(),
                1, 100, 0, 0, 0, 0, 0, 1, "cpu"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("keys: act_delay_ms, action_scale");
        assertThatThrownBy(() -> client.start(RunRequest.of("random", "java:CartPole", 0), null))
                .hasMessageContaining("steps must be in [1, ");
        assertThatThrownBy(() -> client.start(RunRequest.of("random", "nope", 10), null)).hasMessageContaining("unknown environment");
        assertThatThrownBy(() -> client.evaluate("../../etc", null, 1, 0)).hasMessageContaining("is not a run id");
        assertThat(client.runs(true)).isEmpty();
    }

    @Test
    void anAgentsTrainingCadenceReachesTheClient() throws Exception {
        TestBundles.testPlugin(gateway.plugins().deployDirectory().resolve("cem.jar"), "cem", "1.0.0");
        await("cem deployed", 30, () -> gateway.plugins().factories().size() == 2);
        assertThat(client.describeAgent("cem").descriptor().cadence()).isEqualTo(TrainingCadence.GENERATIONS);
        assertThat(client.describeAgent("random").descriptor().cadence()).isEqualTo(TrainingCadence.REPLAY_RATIO);
    }

    @Test
    void aRunStartedWithoutTrainRatioTrainsAtTheAgentsDeclaredDefault() throws Exception {
        Files.copy(TestBundles.dreamerPlugin(), gateway.plugins().deployDirectory().resolve("dreamer.jar"));
        await("dreamer deployed", 30, () -> gateway.plugins().factories().size() == 2);
        assertThat(client.describeAgent("dreamer").descriptor().defaultTrainRatio()).isEqualTo(0.5);
        assertThat(client.describeAgent("random").descriptor().defaultTrainRatio()).isZero();
        // The client leaves train_ratio unset on the wire: the service applies dreamer's 0.5.
        RunStatus run = client.start(new RunRequest("dreamer", "debug", Map.of("batch_size", "2", "batch_length", "4"),
                "java:CartPole", Map.of(), 1, 40, 0, RunRequest.AGENT_DEFAULT_TRAIN_RATIO, 32, 0, 0, 1, "cpu"), null);
        await("dreamer's run finished", 60, () -> client.status(run.runId()).state().isTerminal());
        assertThat(client.status(run.runId()).state()).isEqualTo(RunState.FINISHED);
        assertThat(client.status(run.runId()).updates()).isPositive();
    }

    @Test
    void aRunsStateComesAsTheEnumAndStillAsTheDeprecatedName() throws Exception {
        RunStatus s = client.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 1, 100, 1, 0, 0, 0, 0, 1,
                "cpu"), null);
        await("finished", 30, () -> client.status(s.runId()).state() == RunState.FINISHED);
        ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
        try {
            Run run = GatewayGrpc.newBlockingStub(channel).withCallCredentials(bearer(server.token()))
                    .getRun(RunRef.newBuilder().setRunId(s.runId()).build());
            assertThat(run.getRunState()).isEqualTo(io.worldgate.proto.service.v1.RunState.FINISHED);
            assertThat(deprecatedState(run)).isEqualTo("FINISHED");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aStreamThatAsksForTheHistoryHearsTheEventsOfARunThatAlreadyEnded() throws Exception {
        RunStatus s = client.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 1, 1_200, 1, 0, 0, 600,
                0, 1, "cpu"), null);
        await("finished", 30, () -> client.status(s.runId()).state() == RunState.FINISHED);
        ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
        try {
            var stub = GatewayGrpc.newBlockingStub(channel).withCallCredentials(bearer(server.token()));
            List<MetricEvent> replayed = new java.util.ArrayList<>();
            stub.streamMetrics(StreamMetricsRequest.newBuilder().setRunId(s.runId()).setReplayEvents(true).build())
                    .forEachRemaining(replayed::add);
            assertThat(replayed).allMatch(e -> e.getTag().equals("event"))
                    .filteredOn(e -> e.getEvent().hasCheckpointWritten())
                    .extracting(e -> e.getEvent().getCheckpointWritten().getDirectory())
                    .containsExactly("0001-step600-random-1.0.0", "0002-step1200-random-1.0.0");
            assertThat(replayed).last().satisfies(e -> assertThat(e.getEvent().hasRunEnded()).isTrue());

            List<MetricEvent> live = new java.util.ArrayList<>();
            stub.streamMetrics(StreamMetricsRequest.newBuilder().setRunId(s.runId()).build()).forEachRemaining(live::add);
            assertThat(live).as("without replay_events an ended run's stream ends at once").isEmpty();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theClientFollowingARunHearsTheEventsToldBeforeItsStreamOpened() throws Exception {
        RunStatus s = client.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 1, 1_200, 1, 0, 0, 600,
                0, 1, "cpu"), null);
        await("finished", 30, () -> client.status(s.runId()).state() == RunState.FINISHED);
        List<RunEvent> heard = new CopyOnWriteArrayList<>();
        try (AutoCloseable following = client.follow(s.runId(), new RunListener() {
            @Override
            public void onEvent(RunStatus status, RunEvent event) {
                heard.add(event);
            }
        })) {
            await("the ended run's events", 30, () -> heard.stream().anyMatch(e -> e instanceof RunEvent.RunEnded));
        }
        assertThat(heard).filteredOn(e -> e instanceof RunEvent.CheckpointWritten)
                .extracting(e -> ((RunEvent.CheckpointWritten) e).directory())
                .containsExactly("0001-step600-random-1.0.0", "0002-step1200-random-1.0.0");
        assertThat(heard).filteredOn(e -> e instanceof RunEvent.AgentCreated).hasSize(1);
    }

    @SuppressWarnings("deprecation")
    private static String deprecatedState(Run run) {
        return run.getState();
    }

    @Test
    void describeAgentListsTheConfigKeysWithDefaultsAndThePresets() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
        try {
            GatewayGrpc.GatewayBlockingStub stub = GatewayGrpc.newBlockingStub(channel).withCallCredentials(bearer(server.token()));
            AgentDescription d = stub.describeAgent(DescribeAgentRequest.newBuilder().setAgent("random").build());
            assertThat(d.getAgent()).isEqualTo("random@1.0.0");
            assertThat(d.getConfigKeysList()).extracting(ConfigKeyInfo::getName).containsExactly("action_scale", "act_delay_ms");
            ConfigKeyInfo scale = d.getConfigKeys(0);
            assertThat(scale.getType()).isEqualTo("DOUBLE");
            assertThat(Double.parseDouble(scale.getDefaultValue())).isEqualTo(1.0);
            assertThat(scale.hasMin()).isTrue();
            assertThat(scale.getMax()).isEqualTo(1.0);
            assertThat(d.getDefaultPreset()).isEqualTo("default");
            assertThat(d.getPresetsMap()).containsOnlyKeys("default", "gentle");
            assertThat(d.getPresetsMap().get("gentle").getValuesMap()).containsEntry("action_scale", "0.25");
            assertThat(d.getActionKindsList()).containsExactly("CONTINUOUS", "DISCRETE");
            assertThat(stub.describeAgent(DescribeAgentRequest.newBuilder().setAgent("random@1.0.0").build()).getAgent())
                    .isEqualTo("random@1.0.0");
            // The CLI's client (agents describe) turns it back into the plugin's descriptor.
            assertThat(client.describeAgent("random").descriptor().configKey("act_delay_ms").orElseThrow().max()).isEqualTo(10_000.0);
            assertThatThrownBy(() -> stub.describeAgent(DescribeAgentRequest.newBuilder().setAgent("random@9.9.9").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        } finally {
            channel.shutdownNow();
        }
    }

    static io.grpc.CallCredentials bearer(String token) {
        return new io.grpc.CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
                io.grpc.Metadata m = new io.grpc.Metadata();
                m.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(m);
            }
        };
    }

    @Test
    void aTokenIsRequiredWhenTheServerHasOne() throws Exception {
        try (GatewayServer guarded = GatewayServer.start(gateway, "127.0.0.1", 0, "s3cret")) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(guarded.address()).usePlaintext().build();
            try {
                assertThatThrownBy(() -> GatewayGrpc.newBlockingStub(channel).listPlugins(ListPluginsRequest.getDefaultInstance()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            } finally {
                channel.shutdownNow();
            }
            try (RemoteGatewayClient wrong = new RemoteGatewayClient(guarded.address(), "guess");
                    RemoteGatewayClient right = new RemoteGatewayClient(guarded.address(), "s3cret")) {
                assertThatThrownBy(wrong::plugins).hasMessageContaining("requires 'authorization: Bearer <token>'");
                assertThat(right.plugins()).extracting(p -> p.file()).contains("random-1.jar");
            }
        }
    }

    @Test
    void aServerMakesUpATokenWhenGivenNoneAndKeepsItInAFileOnlyItsOwnerReads() throws Exception {
        try (GatewayServer open = GatewayServer.start(gateway, "0.0.0.0", 0, null)) {
            assertThat(open.token()).isNotNull().hasSizeGreaterThanOrEqualTo(32);
            assertThat(Files.getPosixFilePermissions(tmp.resolve("runs").resolve(GatewayServer.DISCOVERY_FILE)))
                    .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        }
    }
}
