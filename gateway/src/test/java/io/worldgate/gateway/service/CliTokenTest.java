package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.cli.Main;
import io.worldgate.gateway.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command that talks to a service presents the token of --token-file, train included. */
class CliTokenTest {

    @Test
    void trainAgainstAServiceUsesTheTokenFile(@TempDir Path tmp) throws Exception {
        try (ServiceFixture service = new ServiceFixture(tmp.resolve("service"), "random.jar", null)) {
            Path tokenFile = tmp.resolve("token");
            Files.writeString(tokenFile, service.server.token() + "\n");
            // another runs directory: no discovery file to find the token in
            String[] global = {"--plugins-dir", service.deploy.toString(), "--runs-dir", tmp.resolve("elsewhere").toString(),
                "--gateway", service.server.address(), "--token-file", tokenFile.toString()};
            int train = Main.run(concat(global, "train", "--agent", "random", "--env", "java:CartPole", "--steps", "200",
                    "--json"));
            assertThat(train).isZero();
            assertThat(service.gateway.runs().list(true).get(0).state()).isEqualTo(RunState.FINISHED);
            assertThat(Main.run(concat(global, "runs", "list", "--all"))).isZero();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
