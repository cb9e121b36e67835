package io.worldgate.gateway.run;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.internal.InMemoryExperience;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Assembles a {@link TrainingRun}: listeners, metrics writer, experience store, and where to resume
 * from. Made by {@link TrainingRun#builder}; its fields are read by the run's constructor.
 */
public final class TrainingRunBuilder {
    final RunConfig config;
    final PluginHost host;
    final EnvRegistry envs;
    final List<RunListener> listeners = new ArrayList<>();
    MetricsWriter metrics = new MetricsWriter() {
        @Override
        public void scalar(String tag, double value, long step) {}
    };
    Function<EnvSpec, ExperienceStore> experience = InMemoryExperience::new;
    final List<Function<TrainingRun, Optional<String>>> afterEnd = new ArrayList<>();
    long startStep;
    long startEpisodes;
    Path startCheckpoint;
    int checkpointCount;
    VectorEnv env;
    final List<String> warnings = new ArrayList<>();
    final List<RunEvent> startEvents = new ArrayList<>();

    TrainingRunBuilder(RunConfig config, PluginHost host, EnvRegistry envs) {
        this.config = config;
        this.host = host;
        this.envs = envs;
    }

    public TrainingRunBuilder listener(RunListener listener) {
        listeners.add(listener);
        return this;
    }

    public TrainingRunBuilder metrics(MetricsWriter writer) {
        this.metrics = writer;
        return this;
    }

    /** How the experience store is made once the environments' spec is known. */
    public TrainingRunBuilder experience(Function<EnvSpec, ExperienceStore> factory) {
        this.experience = factory;
        return this;
    }

    /**
     * Something to do once the run has ended and its files are closed, before its final state
     * is reported (such as drawing the learning curve); what it returns is told as an event.
     */
    public TrainingRunBuilder afterEnd(Function<TrainingRun, Optional<String>> step) {
        afterEnd.add(step);
        return this;
    }

    /**
     * Continue a run from {@code checkpoint}, written at env step {@code step} after
     * {@code episodes} episodes; the first agent loads it, and new checkpoints are numbered
     * after {@code checkpointsWritten}.
     */
    public TrainingRunBuilder resumeFrom(long step, long episodes, Path checkpoint, int checkpointsWritten) {
        this.startStep = step;
        this.startEpisodes = episodes;
        this.startCheckpoint = checkpoint;
        this.checkpointCount = checkpointsWritten;
        return this;
    }

    /**
     * The run's environments, already opened (so that bad env input was refused before the run
     * existed); the run owns and closes them. Without this the run opens them itself.
     */
    public TrainingRunBuilder env(VectorEnv opened) {
        this.env = opened;
        return this;
    }

    /** Something the user must hear about when the run starts: logged at WARN and told as an event. */
    public TrainingRunBuilder warning(String text) {
        warnings.add(text);
        return this;
    }

    /** Something found before the run started (a damaged checkpoint skipped): told as the run starts. */
    public TrainingRunBuilder startEvent(RunEvent event) {
        startEvents.add(event);
        return this;
    }

    public TrainingRun build() {
        return new TrainingRun(this);
    }
}
