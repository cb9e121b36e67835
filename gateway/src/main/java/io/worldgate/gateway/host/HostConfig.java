package io.worldgate.gateway.host;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the plugin host is set up.
 *
 * @param deployDirectory the directory FileInstall watches for plugin jars
 * @param pollInterval how often FileInstall looks at it
 */
public record HostConfig(Path deployDirectory, Duration pollInterval) {
    public HostConfig {
        deployDirectory = deployDirectory.toAbsolutePath().normalize();
    }

    /** A host watching {@code deployDirectory} every second. */
    public static HostConfig of(Path deployDirectory) {
        return new HostConfig(deployDirectory, Duration.ofSeconds(1));
    }
}
