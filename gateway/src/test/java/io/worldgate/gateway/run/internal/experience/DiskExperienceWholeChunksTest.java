package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.internal.ExperienceStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract against the disk store with chunks of 40 steps: the contract's three
 * episodes of 40 steps each fill one chunk (two sealed and mapped, one staging), so visiting them
 * hands out views of the mapped files and of the staging buffer.
 */
class DiskExperienceWholeChunksTest extends ExperienceStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ExperienceStore create(EnvSpec spec) {
        return DiskExperience.open(dir.resolve("experience"), spec, DiskExperience.Options.defaults().withChunkSteps(40));
    }
}
