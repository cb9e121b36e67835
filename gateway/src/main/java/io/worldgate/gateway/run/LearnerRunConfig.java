package io.worldgate.gateway.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a learner run does: train a learner plugin on another run's stored experience.
 *
 * @param runId the learner run's id, also the name of its directory
 * @param learnerName the learner plugin, by name; the highest deployed version is taken
 * @param preset the learner preset, or null for its default
 * @param overrides {@code --set key=value} values for the learner
 * @param sourceRun the run whose experience it learns from (never changed by the learner run)
 * @param updates updates to run in all
 * @param seed seed of the learner
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param checkpointEvery updates between checkpoints (a run also checkpoints at its end and when stopped)
 * @param keepCheckpoints how many of the newest intact checkpoints are kept
 * @param runDirectory the learner run's directory
 */
public record LearnerRunConfig(String runId, String learnerName, String preset, Map<String, String> overrides,
        String sourceRun, long updates, long seed, String device, long checkpointEvery, int keepCheckpoints,
        Path runDirectory) {

    public LearnerRunConfig {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(learnerName, "learnerName");
        Objects.requireNonNull(sourceRun, "sourceRun");
        Objects.requireNonNull(runDirectory, "runDirectory");
        overrides = Map.copyOf(overrides);
        if (updates < 1) {
            throw new IllegalArgumentException("--updates must be at least 1, got " + updates);
        }
        if (checkpointEvery < 1 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("--checkpoint-every and --keep-checkpoints must be at least 1, got "
                    + checkpointEvery + " and " + keepCheckpoints);
        }
        device = device == null || device.isBlank() ? "auto" : device;
    }

    /** This config in another directory (where it was found now). */
    public LearnerRunConfig withRunDirectory(Path dir) {
        return new LearnerRunConfig(runId, learnerName, preset, overrides, sourceRun, updates, seed, device, checkpointEvery,
                keepCheckpoints, dir);
    }
}
