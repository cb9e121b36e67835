package io.worldgate.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host on a real Felix framework with the real random plugin jar. */
class PluginHostTest {

    @Test
    void deployedPluginOffersItsFactoryAndDisappearsWhenRemoved(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            assertThat(f.host.bestFactory("random")).isEmpty();
            Path jar = Files.copy(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), StandardCopyOption.REPLACE_EXISTING);
            HostFixture.await("random factory", 20, () -> f.host.bestFactory("random").isPresent());

            FactoryHandle handle = f.host.bestFactory("random").orElseThrow();
            assertThat(handle.symbolicName()).isEqualTo("io.worldgate.plugin.random");
            assertThat(handle.factory().descriptor().presets()).containsKeys("default", "gentle");
            // The factory's class comes from the bundle, the API interface from the host.
            assertThat(handle.factory().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
            assertThat(f.host.plugins()).singleElement().satisfies(p -> {
                assertThat(p.file()).isEqualTo("random.jar");
                assertThat(p.state()).isEqualTo("ACTIVE");
                assertThat(p.agents()).containsExactly("random");
                assertThat(p.healthy()).isTrue();
            });

            Files.delete(jar);
            HostFixture.await("random factory to go", 20, () -> f.host.bestFactory("random").isEmpty());
            assertThat(f.host.plugins()).isEmpty();
        }
    }
}
