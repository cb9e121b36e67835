package io.worldgate.plugin.framestats;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.learner.LearnerFactory;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** The frame-statistics learner: per-channel mean and standard deviation of one observation. */
@Component(service = LearnerFactory.class)
public class FrameStatsFactory implements LearnerFactory {
    public static final String NAME = "framestats";

    @Override
    public LearnerDescriptor descriptor() {
        return new LearnerDescriptor(NAME, "per-channel mean and std of an observation's frames, by running averages", Set.of(),
                List.of(ConfigKey.string("key", "", "the observation (empty: 'image' if there is one, else the first by name)"),
                        ConfigKey.integer("batch", 64, 1, 4096, "frames sampled per update")));
    }

    @Override
    public Learner create(LearnerContext context, AgentConfig config) {
        String key = config.getString("key");
        if (key.isEmpty()) {
            key = context.observationSpace().has("image") ? "image"
                    : new java.util.TreeSet<>(context.observationSpace().spaces().keySet()).first();
        }
        if (!context.observationSpace().has(key)) {
            throw new io.worldgate.api.agent.AgentException("framestats: no observation '" + key + "'; there are "
                    + context.observationSpace().spaces().keySet());
        }
        return new FrameStats(context, key, config.getInt("batch"));
    }
}
