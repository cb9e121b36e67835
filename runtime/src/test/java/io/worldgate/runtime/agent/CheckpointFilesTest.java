package io.worldgate.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesTheWholeFileAndLeavesNoTemporary() throws IOException {
        Path file = dir.resolve("opt.bin");
        CheckpointFiles.write(file, out -> out.write(new byte[] {1, 2, 3}));
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(dir.resolve("opt.bin.tmp")).doesNotExist();
    }

    @Test
    void aFailingWriterLeavesThePreviousFileAsItWas() throws IOException {
        Path file = dir.resolve("opt.bin");
        CheckpointFiles.write(file, out -> out.write(new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> CheckpointFiles.write(file, out -> {
            out.write(new byte[] {9, 9, 9, 9, 9});
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(dir.resolve("opt.bin.tmp")).doesNotExist();

        // a runtime failure (an optimizer in a bad state) too, and no file where there was none
        Path fresh = dir.resolve("fresh.bin");
        assertThatThrownBy(() -> CheckpointFiles.write(fresh, out -> {
            out.write(7);
            throw new IllegalStateException("closed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(fresh).doesNotExist();
        assertThat(dir.resolve("fresh.bin.tmp")).doesNotExist();
    }

    @Test
    void propertiesCarryFormatAndVersionAndTheirValues() throws Exception {
        Path file = dir.resolve("agent.properties");
        CheckpointFiles.writeProperties(file, "worldgate-test", 2, Map.of("updates", "17", "env", "gym:CartPole-v1"), "c");
        Properties raw = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(r);
        }
        assertThat(raw.getProperty(CheckpointFiles.FORMAT)).isEqualTo("worldgate-test");
        assertThat(raw.getProperty(CheckpointFiles.FORMAT_VERSION)).isEqualTo("2");

        Properties p = CheckpointFiles.readProperties(file, "worldgate-test", 2);
        assertThat(p.getProperty("updates")).isEqualTo("17");
        assertThat(p.getProperty("env")).isEqualTo("gym:CartPole-v1");
        assertThat(dir.resolve("agent.properties.tmp")).doesNotExist();
    }

    @Test
    void anotherFormatVersionOrAMissingFileIsIncompatible() throws IOException {
        Path file = dir.resolve("agent.properties");
        CheckpointFiles.writeProperties(file, "worldgate-test", 2, Map.of(), null);
        assertThatThrownBy(() -> CheckpointFiles.readProperties(file, "worldgate-other", 2))
                .isInstanceOf(IncompatibleCheckpointException.class);
        assertThatThrownBy(() -> CheckpointFiles.readProperties(file, "worldgate-test", 3))
                .isInstanceOf(IncompatibleCheckpointException.class);
        assertThatThrownBy(() -> CheckpointFiles.readProperties(dir.resolve("none.properties"), "worldgate-test", 2))
                .isInstanceOf(IncompatibleCheckpointException.class);
        assertThatThrownBy(() -> CheckpointFiles.writeProperties(file, "x", 1, Map.of("format", "y"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
