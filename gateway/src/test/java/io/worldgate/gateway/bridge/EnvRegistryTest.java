package io.worldgate.gateway.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.VectorEnv;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvRegistryTest {
    private static final Map<String, String> TOO_MANY_WORKERS = Map.of("bridge.workers", "4096", "size", "8");

    /** A family that says whether the bridge serves it and keeps the options it was given. */
    private static final class Family implements EnvFactory {
        private final String family;
        private final boolean servedByBridge;
        Map<String, String> created;

        Family(String family, boolean servedByBridge) {
            this.family = family;
            this.servedByBridge = servedByBridge;
        }

        @Override
        public String family() {
            return family;
        }

        @Override
        public Map<String, String> examples() {
            return Map.of(family + ":x", "an env");
        }

        @Override
        public boolean servedByBridge() {
            return servedByBridge;
        }

        @Override
        public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
            created = options;
            return null;
        }
    }

    @Test
    void aFamilyServedByTheBridgeHasItsBridgeOptionsCheckedAndPassedOn() {
        EnvRegistry registry = EnvRegistry.withBuiltins();
        Family ext = new Family("ext", true);
        registry.register(ext);

        assertThatThrownBy(() -> registry.checkOptions("ext:x", TOO_MANY_WORKERS)).isInstanceOf(EnvException.class);
        registry.create("ext:x", 1, Map.of("bridge.workers", "2", "size", "8"));
        assertThat(ext.created).containsEntry("bridge.workers", "2").containsEntry("size", "8");
    }

    @Test
    void aFamilyInsideTheGatewayIgnoresBridgeOptions() {
        EnvRegistry registry = EnvRegistry.withBuiltins();
        Family local = new Family("local", false);
        registry.register(local);

        registry.checkOptions("local:x", TOO_MANY_WORKERS);
        registry.create("local:x", 1, TOO_MANY_WORKERS);
        assertThat(local.created).isEqualTo(Map.of("size", "8"));
    }

    @Test
    void thePythonFamiliesAreServedByTheBridgeAndTheJavaOneIsNot() {
        EnvRegistry registry = EnvRegistry.withBuiltins();
        for (EnvFactory f : registry.families()) {
            assertThat(f.servedByBridge()).as(f.family()).isEqualTo(!f.family().equals("java"));
        }
        assertThatThrownBy(() -> registry.checkOptions("gym:CartPole-v1", TOO_MANY_WORKERS)).isInstanceOf(EnvException.class);
        registry.checkOptions("java:CartPole", TOO_MANY_WORKERS);
    }

    @Test
    void aFamilyOnTheClassPathIsFoundWithoutALineOfRegistration() throws Exception {
        URL dir = EnvRegistryTest.class.getClassLoader().getResource("envfamilies/");
        try (URLClassLoader jar = new URLClassLoader(new URL[] {dir}, EnvRegistryTest.class.getClassLoader())) {
            EnvRegistry registry = EnvRegistry.withBuiltins(BridgeConfig.defaults(), jar);
            assertThat(registry.families()).extracting(EnvFactory::family).contains("java", "classpath", "gym");
            try (VectorEnv env = registry.create("classpath:CartPole", 2, Map.of())) {
                assertThat(env.spec().numEnvs()).isEqualTo(2);
            }
        }
        assertThat(EnvRegistry.withBuiltins().families()).extracting(EnvFactory::family).doesNotContain("classpath");
    }

    @Test
    void withoutAPythonTheJavaFamiliesAreListedAndUserStartedWorkersStillServe(@TempDir Path tmp) {
        BridgeConfig noPython = BridgeConfig.defaults().withPython(tmp.resolve("nowhere/python"));
        assertThat(EnvRegistry.withBuiltins(noPython).families()).extracting(EnvFactory::family).containsExactly("java");
        assertThatThrownBy(() -> EnvRegistry.withBuiltins(noPython).checkOptions("gym:CartPole-v1", Map.of()))
                .isInstanceOf(EnvException.class).hasMessageContaining("no Python for the env bridge");

        EnvRegistry remote = EnvRegistry.withBuiltins(noPython.withRemoteWorkers(List.of("127.0.0.1:1")));
        remote.checkOptions("gym:CartPole-v1", Map.of());
        assertThatThrownBy(() -> remote.checkOptions("gym:CartPole-v1", TOO_MANY_WORKERS)).isInstanceOf(EnvException.class);
    }
}
