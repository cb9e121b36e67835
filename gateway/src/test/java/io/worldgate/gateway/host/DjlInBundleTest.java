package io.worldgate.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.gateway.run.internal.HostAgentContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Plugin code uses DJL imported from the host: a forward and backward pass gives the hand-derived
 * values, and still does after the bundle is updated twice (new class loaders), with the same
 * engine classes and without libtorch being loaded again.
 */
class DjlInBundleTest {
    private static final EnvSpec SPEC = new EnvSpec("test:none", new DictSpace(Map.of("state",
            BoxSpace.uniform(DType.FLOAT32, -1, 1, 2))), new DiscreteSpace(2), 1, 0, Map.of());

    @Test
    void forwardAndBackwardPassInAPluginSurviveTwoUpdates(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Path jar = f.deploy.resolve("djl-probe.jar");
            Set<String> libtorchBefore = null;
            for (String version : new String[] {"1.0.0", "1.0.1", "1.0.2"}) {
                TestBundles.testPlugin(jar, "djl", version);
                try {
                    HostFixture.await("djl-probe " + version, 90, () -> f.host.bestFactory("djl-probe")
                            .filter(h -> h.version().equals(version)).isPresent());
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; plugins: " + f.host.plugins() + "; factories: "
                            + f.host.factories(), e);
                }
                FactoryHandle h = f.host.bestFactory("djl-probe").orElseThrow();

                Bundle bundle = f.host.bundleContext().getBundle(h.bundleId());
                assertThat(bundle.loadClass("ai.djl.engine.Engine"))
                        .as("the bundle imports DJL from the host, not a copy of its own")
                        .isSameAs(Engine.class);

                Map<String, Double> result;
                try (Agent agent = h.factory().create(SPEC, AgentConfig.resolve(h.factory().descriptor(), null, Map.of()),
                        new HostAgentContext(null, Optional.empty(), null, tmp, 0, "cpu", null))) {
                    result = agent.train(1);
                }
                assertThat(result.get("y")).isCloseTo(14.5, within(1e-5));
                assertThat(result.get("grad0")).isCloseTo(1.0, within(1e-6));
                assertThat(result.get("grad1")).isCloseTo(4.0, within(1e-6));
                assertThat(result.get("grad2")).isCloseTo(9.0, within(1e-6));

                Set<String> libtorch = loadedLibtorch();
                assertThat(libtorch).as("libtorch is mapped into the process").isNotEmpty();
                if (libtorchBefore == null) {
                    libtorchBefore = libtorch;
                } else {
                    assertThat(libtorch).as("no second copy of libtorch after update to " + version).isEqualTo(libtorchBefore);
                }
            }
        }
    }

    /** Paths of libtorch libraries mapped into this process. */
    private static Set<String> loadedLibtorch() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.trim().split("\\s+"))
                .filter(parts -> parts.length >= 6 && parts[5].contains("libtorch"))
                .map(parts -> parts[5])
                .collect(Collectors.toCollection(TreeSet::new));
    }

}
