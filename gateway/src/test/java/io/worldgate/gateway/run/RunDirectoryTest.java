package io.worldgate.gateway.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    private RunConfig config(Path dir) {
        return new RunConfig("r1", "random", "gentle", Map.of("act_delay_ms", "1"), "java:CartPole", Map.of("k", "v"), 2, 1000, 3,
                0.5, 10, 100, 200, 2, dir, "cpu", 4, 1 << 20);
    }

    private static AgentConfig resolved() {
        AgentDescriptor d = new AgentDescriptor("random", "", EnumSet.allOf(ActionKind.class), Set.of(),
                List.of(ConfigKey.integer("act_delay_ms", 0, 0, 1000, "")), Map.of(), null);
        return AgentConfig.resolve(d, null, Map.of("act_delay_ms", "1"));
    }

    @Test
    void theConfigReadsBackAsWrittenWithTheDirectoryWhereItIsNow() throws IOException {
        Path first = Files.createDirectories(tmp.resolve("first"));
        new RunDirectory(first).writeConfig(config(first), resolved());
        assertThat(RunDirectory.isRun(first)).isTrue();
        assertThat(new RunDirectory(first).readConfig()).isEqualTo(config(first));

        Path moved = Files.move(first, tmp.resolve("moved"));
        assertThat(new RunDirectory(moved).readConfig()).isEqualTo(config(moved));
    }

    @Test
    void aRecordedSwapIsTheAgentAResumeGoesOnWith() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("r"));
        RunDirectory run = new RunDirectory(dir);
        run.writeConfig(config(dir), resolved());
        run.recordAgent("random@2.0.0");
        assertThat(run.readConfig().agentName()).isEqualTo("random@2.0.0");
        assertThat(run.readConfig().totalSteps()).isEqualTo(1000);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temp file left").containsExactly(run.configFile());
        }
    }

    @Test
    void theStatusReadsBackAsWritten() throws IOException {
        RunDirectory run = new RunDirectory(Files.createDirectories(tmp.resolve("r")));
        assertThat(run.readStatus()).isEmpty();
        run.writeStatus(new RunStatus("r", RunState.PAUSED, "waiting", "random@1.0.0", 640, 1000, 12, 3.5, 99, 7, 1, 2), "paused");
        assertThat(run.readStatus()).contains(new RunDirectory.StoredStatus(RunState.PAUSED, "waiting", "random@1.0.0", 640, 12, 7));
    }

    @Test
    void aBrokenConfigOrAnUnknownStateIsAnIoError() throws IOException {
        RunDirectory run = new RunDirectory(Files.createDirectories(tmp.resolve("r")));
        Files.writeString(run.configFile(), "{\"other\": 1}");
        assertThatThrownBy(run::readConfig).isInstanceOf(IOException.class);
        Files.writeString(run.statusFile(), "{\"state\": \"SLEEPING\"}");
        assertThatThrownBy(run::readStatus).isInstanceOf(IOException.class);
    }

    @Test
    void checkpointsAndVideosHaveTheirPlaces() {
        RunDirectory run = new RunDirectory(tmp);
        assertThat(run.checkpoints()).isEqualTo(tmp.resolve(Checkpoints.DIRECTORY));
        assertThat(run.evaluationVideo(40)).isEqualTo(tmp.resolve("videos").resolve("eval-step40.gif"));
    }
}
