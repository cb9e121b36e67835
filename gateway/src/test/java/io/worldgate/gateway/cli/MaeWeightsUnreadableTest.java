package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Felix with the mae and dreamer plugins: {@code -Dworldgate.mae.weights} naming weights
 * that cannot be read fails {@code train --agent dreamer --set encoder=mae} with the path and the
 * cause, instead of leaving it paused for an encoder that will not come.
 */
class MaeWeightsUnreadableTest {
    @TempDir
    Path tmp;
    private Path deploy;

    @BeforeEach
    void deployMaeAndDreamer() throws Exception {
        deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.maePlugin(), deploy.resolve("mae.jar"));
        Files.copy(TestBundles.dreamerPlugin(), deploy.resolve("dreamer.jar"));
    }

    @AfterEach
    void clearWeights() {
        System.clearProperty("worldgate.mae.weights");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // before the fix the run waited for the encoder forever
    void missingWeightsFailTheRunWithThePath() throws Exception {
        Path missing = tmp.resolve("no-such-run");
        JsonNode end = trainDreamerWithWeights(missing);
        assertThat(end.path("message").asText()).contains(missing.toString()).contains("NoSuchFileException");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void damagedWeightsFailTheRunWithTheCause() throws Exception {
        Path weights = Files.createDirectories(tmp.resolve("hf"));
        Path fixture = Path.of(System.getProperty("worldgate.test.maeFixture", "../plugins/mae/src/test/resources/hf-vit-mae"));
        Files.copy(fixture.resolve("config.json"), weights.resolve("config.json"));
        byte[] whole = Files.readAllBytes(fixture.resolve("model.safetensors"));
        Files.write(weights.resolve("model.safetensors"), java.util.Arrays.copyOf(whole, whole.length / 2)); // torn
        JsonNode end = trainDreamerWithWeights(weights);
        assertThat(end.path("message").asText()).contains(weights.toString()).contains("cannot be read");
    }

    private JsonNode trainDreamerWithWeights(Path weights) throws Exception {
        System.setProperty("worldgate.mae.weights", weights.toString());
        CliRun dreamer = CliRun.with(deploy, tmp.resolve("runs"), "train", "--agent", "dreamer", "--preset", "debug", "--set",
                "encoder=mae", "--env", "const:4", "--env-option", "image=32", "--envs", "2", "--steps", "120", "--prefill",
                "60", "--json");
        assertThat(dreamer.exit()).as(dreamer.err()).isEqualTo(1);
        JsonNode end = Json.mapper().readTree(dreamer.out());
        assertThat(end.path("state").asText()).isEqualTo("FAILED");
        assertThat(end.path("steps").asLong()).isZero();
        return end;
    }
}
