package io.worldgate.gateway.cli;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.runtime.nn.ImageEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The MAE plugin end to end on a real Felix: {@code learn mae --from-run} pre-trains it on the
 * image frames of a random agent's run on Python workers ({@code const:} with 64x64 images), writes
 * reconstruction images and checkpoints; a host started with {@code -Dworldgate.mae.weights} naming
 * that learner run offers the {@code mae} image encoder with its weights, and Dreamer trains with
 * it ({@code encoder=mae}).
 */
class MaeLearnCliTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a run that never binds the encoder would wait for it
    void learnMaeOnAPixelRunThenOfferItsEncoder() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path runs = tmp.resolve("runs");
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Files.copy(TestBundles.maePlugin(), deploy.resolve("mae.jar"));

        CliRun train = CliRun.with(deploy, runs, "train", "--agent", "random", "--env", "const:4", "--env-option", "image=64",
                "--envs", "2", "--steps", "200", "--json");
        assertThat(train.exit()).as(train.err()).isZero();
        String source = Json.mapper().readTree(train.out()).path("run_id").asText();

        CliRun learn = CliRun.with(deploy, runs, "learn", "mae", "--from-run", source, "--preset", "debug", "--updates", "6",
                "--checkpoint-every", "3", "--set", "batch=4", "--set", "image_every=3", "--json");
        assertThat(learn.exit()).as(learn.err()).isZero();
        JsonNode summary = Json.mapper().readTree(learn.out());
        assertThat(summary.path("state").asText()).isEqualTo("FINISHED");
        assertThat(summary.path("updates").asLong()).isEqualTo(6);
        assertThat(summary.path("learner").asText()).startsWith("mae@");
        Path checkpoint = Path.of(summary.path("checkpoint").asText());
        assertThat(checkpoint.resolve("mae.txt")).isRegularFile();
        Path learnerRun = runs.resolve(summary.path("run_id").asText());
        try (Stream<Path> images = Files.list(learnerRun.resolve("images"))) {
            assertThat(images.map(p -> p.getFileName().toString()).toList()).as("reconstruction images")
                    .anySatisfy(n -> assertThat(n).contains("reconstruction").endsWith("-step3.png"))
                    .anySatisfy(n -> assertThat(n).contains("reconstruction").endsWith("-step6.png"));
        }

        System.setProperty("worldgate.mae.weights", learnerRun.toString());
        try (HostFixture host = new HostFixture(tmp.resolve("host"))) {
            Files.copy(TestBundles.maePlugin(), host.deploy.resolve("mae.jar"));
            BundleContext context = host.host.bundleContext();
            String filter = "(" + ImageEncoder.SERVICE_NAME_PROPERTY + "=mae)";
            await("the mae image encoder service", 60, () -> !references(context, filter).isEmpty());
            ServiceReference<ImageEncoder> ref = references(context, filter).iterator().next();
            ImageEncoder encoder = context.getService(ref);
            try (NDManager m = NDManager.newBaseManager()) {
                assertThat(encoder.imageSize()).containsExactly(64, 64);
                assertThat(encoder.featureSize()).isEqualTo(32);
                var frames = m.zeros(new Shape(2, 64, 64, 3), DataType.UINT8);
                assertThat(encoder.encode(frames).getShape()).isEqualTo(new Shape(2, 32));
            } finally {
                context.ungetService(ref);
            }

            Files.copy(TestBundles.dreamerPlugin(), deploy.resolve("dreamer.jar"));
            CliRun dreamer = CliRun.with(deploy, runs, "train", "--agent", "dreamer", "--preset", "debug", "--set",
                    "encoder=mae", "--env", "const:4", "--env-option", "image=64", "--envs", "2", "--steps", "120",
                    "--prefill", "60", "--train-ratio", "0.1", "--json");
            assertThat(dreamer.exit()).as(dreamer.err()).isZero();
            JsonNode trained = Json.mapper().readTree(dreamer.out());
            assertThat(trained.path("state").asText()).isEqualTo("FINISHED");
            assertThat(trained.path("updates").asLong()).as(dreamer.out()).isPositive();
            // Dreamer's networks hold the projection of the service's features, not its own CNN
            String networks;
            try (Stream<Path> files = Files.list(Path.of(trained.path("checkpoint").asText()))) {
                networks = files.filter(f -> f.toString().endsWith(".properties")).map(MaeLearnCliTest::read)
                        .reduce("", String::concat);
            }
            assertThat(networks).contains("image_projection").doesNotContain("image_encoder");
        } finally {
            System.clearProperty("worldgate.mae.weights");
        }
    }

    /**
     * Hugging Face {@code ViTMAEModel} weights (the mae plugin's test fixture, 32x32 frames) named by
     * the property feed the service on a real Felix, and both agents train with it in the modes that
     * copy it across bundles: Dreamer online, TD-MPC2 fine-tuned, each checkpointing its copy.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void huggingFaceWeightsFeedTheServiceAndBothAgentsTrainTheirCopies() throws Exception {
        Path weights = Files.createDirectories(tmp.resolve("hf"));
        Path fixture = Path.of(System.getProperty("worldgate.test.maeFixture", "../plugins/mae/src/test/resources/hf-vit-mae"));
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(fixture.resolve(f), weights.resolve(f));
        }
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path runs = tmp.resolve("runs");
        Files.copy(TestBundles.maePlugin(), deploy.resolve("mae.jar"));
        Files.copy(TestBundles.dreamerPlugin(), deploy.resolve("dreamer.jar"));
        Files.copy(TestBundles.tdmpc2Plugin(), deploy.resolve("tdmpc2.jar"));
        System.setProperty("worldgate.mae.weights", weights.toString());
        try {
            CliRun dreamer = CliRun.with(deploy, runs, "train", "--agent", "dreamer", "--preset", "debug", "--set",
                    "encoder=mae", "--set", "encoder_mode=online", "--set", "encoder_batch=8", "--env", "const:4",
                    "--env-option", "image=32", "--envs", "2", "--steps", "120", "--prefill", "60", "--train-ratio", "0.1",
                    "--json");
            assertThat(dreamer.exit()).as(dreamer.err()).isZero();
            JsonNode d = Json.mapper().readTree(dreamer.out());
            assertThat(d.path("state").asText()).isEqualTo("FINISHED");
            assertThat(d.path("updates").asLong()).as(dreamer.out()).isPositive();
            assertThat(networks(Path.of(d.path("checkpoint").asText()))).contains("image_encoder");

            CliRun tdmpc2 = CliRun.with(deploy, runs, "train", "--agent", "tdmpc2", "--preset", "debug", "--set",
                    "encoder=mae", "--set", "encoder_mode=finetune", "--env", "const:4", "--env-option", "image=32",
                    "--envs", "2", "--steps", "120", "--prefill", "60", "--train-ratio", "0.1", "--json");
            assertThat(tdmpc2.exit()).as(tdmpc2.err()).isZero();
            JsonNode t = Json.mapper().readTree(tdmpc2.out());
            assertThat(t.path("state").asText()).isEqualTo("FINISHED");
            assertThat(t.path("updates").asLong()).as(tdmpc2.out()).isPositive();
            assertThat(Path.of(t.path("checkpoint").asText()).resolve("tdmpc2-image-encoder.properties")).isRegularFile();
        } finally {
            System.clearProperty("worldgate.mae.weights");
        }
    }

    private static String networks(Path checkpoint) throws java.io.IOException {
        try (Stream<Path> files = Files.list(checkpoint)) {
            return files.filter(f -> f.toString().endsWith(".properties")).map(MaeLearnCliTest::read).reduce("", String::concat);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Collection<ServiceReference<ImageEncoder>> references(BundleContext context, String filter) {
        try {
            return context.getServiceReferences(ImageEncoder.class, filter);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
