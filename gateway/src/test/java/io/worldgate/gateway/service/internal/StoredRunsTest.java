package io.worldgate.gateway.service.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredRunsTest {
    @TempDir
    Path runs;

    @Test
    void aNewRunIdIsARunIdEvenForLongNames() {
        StoredRuns stored = new StoredRuns(runs);
        String id = stored.newRunId("a".repeat(60), "gym:" + "B".repeat(90), id2 -> false);
        assertThat(StoredRuns.checkRunId(id)).isEqualTo(id);
        assertThat(runs.resolve(id)).isDirectory();
    }

    @Test
    void aNewRunIdNamesTimeAgentAndEnvAndIsNumberedOnPastTakenOnes() {
        StoredRuns stored = new StoredRuns(runs);
        String first = stored.newRunId("random", "gym:CartPole-v1", id -> false);
        assertThat(first).matches("\\d{8}-\\d{6}-random-gym-CartPole-v1");
        assertThat(runs.resolve(first)).isDirectory();
        // every id but a third one is taken (the plain one and "-2"), whatever the second is
        String third = stored.newRunId("random", "gym:CartPole-v1", id -> !id.endsWith("-3"));
        assertThat(third).matches("\\d{8}-\\d{6}-random-gym-CartPole-v1-3");
        assertThat(runs.resolve(third)).isDirectory();
    }

    @Test
    void runIdsThatWouldLeaveTheRunsDirectoryAreRefused() {
        assertThatThrownBy(() -> StoredRuns.checkRunId("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredRuns.checkRunId(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoredRuns.checkRunId("20261206-a_b.c")).isEqualTo("20261206-a_b.c");
    }

    @Test
    void aBrokenDirectoryIsListedDamagedWithoutHidingTheOthersAndSkippedRunsAreLeftOut() throws Exception {
        for (String id : List.of("a-broken", "b-loaded", ".hidden")) {
            Files.createDirectories(runs.resolve(id));
            Files.writeString(runs.resolve(id).resolve(RunDirectory.CONFIG_FILE), "{ not json");
        }
        Files.createDirectories(runs.resolve("c-no-config"));
        List<RunStatus> statuses = new StoredRuns(runs).statusesExcept(Set.of("b-loaded"));
        assertThat(statuses).extracting(RunStatus::runId).containsExactly(".hidden", "a-broken");
        assertThat(statuses).extracting(RunStatus::state).containsOnly(RunState.DAMAGED);
    }

    @Test
    void readingAMissingRunIsNotFound() {
        assertThatThrownBy(() -> new StoredRuns(runs).readConfig("nothing-here")).isInstanceOf(NotFoundException.class);
    }
}
