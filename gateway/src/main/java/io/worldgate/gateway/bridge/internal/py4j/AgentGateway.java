package io.worldgate.gateway.bridge.internal.py4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.AgentCreation;
import io.worldgate.gateway.run.ExperienceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The Py4J entry point of {@code worldgate py4j-gateway}: lets a Python program list the deployed
 * agent plugins, create one for an env spec, and drive it itself ({@link AgentSession}), served by
 * {@link io.worldgate.gateway.bridge.Py4jAgentServer}. From Python:
 * {@code JavaGateway(gateway_parameters=GatewayParameters(port=P)).entry_point}.
 */
public final class AgentGateway implements AutoCloseable {
    private final PluginHost host;
    private final EnvRegistry envs;
    private final Set<AgentSession> sessions = ConcurrentHashMap.newKeySet();
    private final CountDownLatch shutdown = new CountDownLatch(1);

    public AgentGateway(PluginHost host, BridgeConfig bridge) {
        this.host = host;
        this.envs = EnvRegistry.withBuiltins(bridge);
    }

    /** The deployed agents as JSON: {@code [{"name", "version", "label", "description", "presets"}]}. */
    public String listAgents() {
        ArrayNode out = JsonTensors.JSON.createArrayNode();
        for (FactoryHandle h : host.factories()) {
            AgentDescriptor d = h.factory().descriptor();
            ObjectNode o = out.addObject();
            o.put("name", h.agentName());
            o.put("version", h.version());
            o.put("label", h.label());
            o.put("description", d.description());
            ArrayNode presets = o.putArray("presets");
            d.presets().keySet().forEach(presets::add);
        }
        return out.toString();
    }

    /** The spec of {@code numEnvs} envs of {@code envId} as JSON (starts its worker for a moment). */
    public String describeEnv(String envId, int numEnvs) {
        return JsonTensors.write(JsonTensors.specJson(specOf(envId, numEnvs, Map.of())));
    }

    private EnvSpec specOf(String envId, int numEnvs, Map<String, String> options) {
        try (VectorEnv env = envs.create(envId, numEnvs, options)) {
            return env.spec();
        }
    }

    /**
     * Creates agent {@code agentName} (highest deployed version) for {@code numEnvs} envs of
     * {@code envId}.
     *
     * @param preset a preset name, or null/empty for the agent's default
     * @param overridesJson {@code {"key": "value"}} config overrides, or null
     */
    public AgentSession createAgent(String agentName, String envId, int numEnvs, String preset, String overridesJson, long seed) {
        return create(agentName, specOf(envId, numEnvs, Map.of()), preset, overridesJson, seed);
    }

    /** Creates an agent for a spec given as JSON (the form {@link AgentSession#spec()} returns). */
    public AgentSession createAgentForSpec(String agentName, String specJson, String preset, String overridesJson, long seed) {
        return create(agentName, JsonTensors.spec(JsonTensors.parse(specJson, "the spec")), preset, overridesJson, seed);
    }

    private AgentSession create(String agentName, EnvSpec spec, String preset, String overridesJson, long seed) {
        FactoryHandle h = host.awaitFactory(agentName, Duration.ofSeconds(20)).orElseThrow(() -> new IllegalArgumentException(
                "no deployed plugin offers agent '" + agentName + "' in " + host.deployDirectory() + "; available: "
                        + host.factories().stream().map(FactoryHandle::label).collect(Collectors.joining(", "))
                        + " (./worldgate build deploys the bundled ones)"));
        Map<String, String> overrides = new LinkedHashMap<>();
        if (overridesJson != null && !overridesJson.isBlank()) {
            JsonTensors.parse(overridesJson, "the overrides").fields()
                    .forEachRemaining(e -> overrides.put(e.getKey(), e.getValue().asText()));
        }
        Path work;
        try {
            work = Files.createTempDirectory("worldgate-py4j-" + h.agentName() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExperienceStore experience = ExperienceStore.inMemory(spec);
        SessionMetrics metrics = new SessionMetrics();
        // No episode runner: the Python caller owns the environments.
        AgentContext context = AgentCreation.context(experience, Optional.empty(), metrics, work, seed, "auto", host.bundleContext());
        Agent agent;
        try {
            agent = AgentCreation.create(h, spec, preset, overrides, context);
        } catch (RuntimeException e) {
            AgentCreation.releaseServices(context);
            throw e;
        }
        AgentSession[] holder = new AgentSession[1];
        AgentSession s = new AgentSession(h.label(), spec, agent, experience, metrics, () -> {
            sessions.remove(holder[0]);
            AgentCreation.releaseServices(context);
        });
        holder[0] = s;
        sessions.add(s);
        return s;
    }

    /**
     * Ends the gateway process ({@code worldgate py4j-gateway} returns) a moment after this call
     * has answered, so that the caller gets its reply.
     */
    public void shutdown() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shutdown.countDown();
        }, "py4j-gateway-shutdown");
        t.setDaemon(true);
        t.start();
    }

    /** Waits until a client calls {@link #shutdown}. */
    public void awaitShutdown() throws InterruptedException {
        shutdown.await();
    }

    @Override
    public void close() {
        for (AgentSession s : List.copyOf(sessions)) {
            s.close();
        }
        shutdown.countDown();
    }
}
