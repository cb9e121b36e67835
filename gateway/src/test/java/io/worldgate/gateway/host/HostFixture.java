package io.worldgate.gateway.host;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A real plugin host on a temporary deploy directory, polled quickly, for tests. */
public final class HostFixture implements AutoCloseable {
    public final Path deploy;
    public final PluginHost host;

    public HostFixture(Path root) {
        this.deploy = root.resolve("deploy");
        this.host = PluginHost.start(new HostConfig(deploy, Duration.ofMillis(100)));
    }

    /** Waits up to {@code seconds} for {@code condition}, failing with {@code what}. */
    public static void await(String what, int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() {
        host.close();
    }
}
