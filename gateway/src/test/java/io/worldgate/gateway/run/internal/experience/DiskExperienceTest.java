package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.internal.ExperienceStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract against the disk store, with chunks of 3 steps (so sequences and episodes
 * cross chunk files) and room to map one chunk at a time (so reads unmap and map again). Episodes
 * held across chunk files are visited as copies; {@link DiskExperienceWholeChunksTest} checks the
 * views.
 */
class DiskExperienceTest extends ExperienceStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ExperienceStore create(EnvSpec spec) {
        return DiskExperience.open(dir.resolve("experience"), spec,
                DiskExperience.Options.defaults().withChunkSteps(3).withMaxMappedBytes(1));
    }

    @Override
    protected boolean episodeIterationCopies() {
        return true;
    }
}
