package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.run.ExperienceStore;

/** The store contract against the in-memory store. */
class InMemoryExperienceTest extends ExperienceStoreContract {
    @Override
    protected ExperienceStore create(EnvSpec spec) {
        return new InMemoryExperience(spec);
    }
}
