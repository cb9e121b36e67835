package io.worldgate.gateway.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.gateway.run.Checkpoints.DamagedCheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing, checking, choosing and pruning checkpoint directories on a real file system. */
class CheckpointsTest {
    @TempDir
    Path run;

    private Path checkpoint(int number, long step) throws Exception {
        Path dir = Files.createDirectories(run.resolve("checkpoints").resolve(String.format("%04d-step%d-a-1", number, step)));
        Files.writeString(dir.resolve("weights.bin"), "w".repeat(100));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub").resolve("optimizer.bin"), "o".repeat(50));
        Checkpoints.seal(dir, Map.of("agent", "a", "step", Long.toString(step), "episodes", "3", "reason", "periodic\nsecond line"));
        return dir;
    }

    @Test
    void aSealedCheckpointReadsBackWithItsFacts() throws Exception {
        Path dir = checkpoint(1, 400);
        Checkpoints.Checkpoint c = Checkpoints.read(dir, true);
        assertThat(c.step()).isEqualTo(400);
        assertThat(c.episodes()).isEqualTo(3);
        assertThat(c.number()).isEqualTo(1);
        assertThat(c.verified()).isTrue();
        assertThat(c.info()).containsEntry("reason", "periodic second line");
    }

    @Test
    void everyKindOfDamageIsTold() throws Exception {
        Path shorter = checkpoint(1, 100);
        Files.writeString(shorter.resolve("sub").resolve("optimizer.bin"), "o".repeat(49));
        Path flipped = checkpoint(2, 200);
        Files.writeString(flipped.resolve("weights.bin"), "w".repeat(99) + "x");
        Path missing = checkpoint(3, 300);
        Files.delete(missing.resolve("weights.bin"));
        Path cut = checkpoint(4, 400);
        String info = Files.readString(cut.resolve(Checkpoints.INFO_FILE));
        Files.writeString(cut.resolve(Checkpoints.INFO_FILE), info.substring(0, info.indexOf("sha256=")));
        Path edited = checkpoint(5, 500);
        Files.writeString(edited.resolve(Checkpoints.INFO_FILE), info.replace("step=400", "step=900"));
        Path empty = checkpoint(6, 600);
        Files.write(empty.resolve(Checkpoints.INFO_FILE), new byte[0]);
        Path unfinished = Files.createDirectories(run.resolve("checkpoints").resolve("0007-step700-a-1"));
        // one changed byte in the format key must not pass the file for one written before checksums
        Path unkeyed = checkpoint(8, 800);
        String sealed = Files.readString(unkeyed.resolve(Checkpoints.INFO_FILE));
        Files.writeString(unkeyed.resolve(Checkpoints.INFO_FILE), sealed.replace("format=", "formaT=").replace("step=800", "step=9"));

        for (Path damaged : List.of(shorter, flipped, missing, cut, edited, empty, unfinished, unkeyed)) {
            assertThatThrownBy(() -> Checkpoints.read(damaged, true)).as(damaged.getFileName().toString())
                    .isInstanceOf(DamagedCheckpointException.class);
        }
        // A quick look (no file checksums) still catches damage to the info file itself.
        assertThat(Checkpoints.read(flipped, false).step()).isEqualTo(200);
        assertThatThrownBy(() -> Checkpoints.read(cut, false)).isInstanceOf(DamagedCheckpointException.class);
    }

    @Test
    void theNewestIntactCheckpointIsChosenAndTheSkippedOnesAreTold() throws Exception {
        checkpoint(1, 100);
        Path good = checkpoint(9_999, 200);
        Path bad = checkpoint(10_000, 1000); // "10000-..." sorts before "9999-..." by name: ordered by number
        Files.writeString(bad.resolve("weights.bin"), "truncated");
        List<Path> skipped = new ArrayList<>();
        assertThat(Checkpoints.newestIntact(run, true, (d, why) -> skipped.add(d))).hasValueSatisfying(c -> assertThat(c.directory()).isEqualTo(good));
        assertThat(skipped).containsExactly(bad);
    }

    @Test
    void aCheckpointWrittenBeforeManifestsIsStillResumedFrom() throws Exception {
        Path dir = Files.createDirectories(run.resolve("checkpoints").resolve("0001-step50-a-1"));
        Files.writeString(dir.resolve(Checkpoints.INFO_FILE), "agent=a\nversion=1\nstep=50\nepisodes=2\nreason=periodic\n");
        Checkpoints.Checkpoint c = Checkpoints.read(dir, true);
        assertThat(c.step()).isEqualTo(50);
        assertThat(c.verified()).isFalse();
    }

    @Test
    void pruningKeepsTheNewestIntactOnesAndTheProtectedOne() throws Exception {
        Path first = checkpoint(1, 100);
        checkpoint(2, 200);
        Path damagedOld = checkpoint(3, 300);
        Files.write(damagedOld.resolve(Checkpoints.INFO_FILE), new byte[0]);
        Path keptA = checkpoint(4, 400);
        Path keptB = checkpoint(5, 500);
        Path damagedNew = Files.createDirectories(run.resolve("checkpoints").resolve("0006-step600-a-1"));

        List<Path> deleted = Checkpoints.prune(run, 2, List.of(first));
        assertThat(Checkpoints.numbered(run)).containsExactly(first, keptA, keptB, damagedNew);
        assertThat(deleted).hasSize(2);
    }
}
