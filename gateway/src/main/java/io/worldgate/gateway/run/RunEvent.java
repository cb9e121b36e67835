package io.worldgate.gateway.run;

/**
 * Something that happened in a run, as a type: a listener switches over the kinds it cares about
 * and reads their fields, never the text. Only what is free text by nature (a warning, a file an
 * agent announced, a diagnostic that failed) arrives as a {@link Note}.
 */
public sealed interface RunEvent {

    /** The run's env step when it happened. */
    long step();

    /** One line for people; its wording may change, so never parse it. */
    String text();

    /** Free text for people: a warning, a file an agent announced, a diagnostic that failed. */
    record Note(long step, String text) implements RunEvent {}

    /**
     * An agent was created for the run. {@code checkpoint} is the checkpoint directory's name it
     * was offered, empty when the run had none yet; {@code checkpointLoaded} says whether it took
     * over from it (false with a checkpoint: the agent could not read it and starts fresh, see
     * {@code detail}).
     */
    record AgentCreated(String agent, long step, String checkpoint, boolean checkpointLoaded, String detail) implements RunEvent {
        @Override
        public String text() {
            if (checkpoint.isEmpty()) {
                return "agent " + agent + " created";
            }
            return checkpointLoaded ? "agent " + agent + " took over from checkpoint " + checkpoint
                    : "agent " + agent + " starts fresh: checkpoint " + checkpoint + " is incompatible (" + detail + ")";
        }
    }

    /**
     * The agent in use threw or returned invalid actions ({@code detail}, for people); it is closed
     * without a checkpoint and the run goes on with another version, or pauses.
     */
    record AgentFailed(String agent, long step, String detail) implements RunEvent {
        @Override
        public String text() {
            return agent + " " + detail + "; run paused until another version is deployed";
        }
    }

    /** An agent left the run (after its checkpoint was written); {@code why} is for people. */
    record AgentRetired(String agent, long step, String why) implements RunEvent {
        @Override
        public String text() {
            return "agent " + agent + " retired (" + why + ")";
        }
    }

    /** The run began to step (after creating its environments and first agent). */
    record RunStarted(long step) implements RunEvent {
        @Override
        public String text() {
            return "running";
        }
    }

    /**
     * The run waits for an agent and goes on by itself when one can be created.
     *
     * @param agent the agent it waits for ({@code name} or {@code name@version}); for
     *     {@link Reason#AGENT_FAILED} the {@code name@version} that failed
     * @param detail for people: the error, what to deploy
     * @param serviceType for {@link Reason#SERVICE_GONE} and {@link Reason#SERVICE_MISSING}: the
     *     interface of the service waited for; else empty
     * @param serviceName and its {@code worldgate.service.name}; else empty
     */
    record RunPaused(Reason reason, String agent, long step, String detail, String serviceType, String serviceName)
            implements RunEvent {

        /** A pause that waits for no service. */
        public RunPaused(Reason reason, String agent, long step, String detail) {
            this(reason, agent, step, detail, "", "");
        }

        /** Why a run pauses. */
        public enum Reason {
            /** No deployed plugin offers the agent. */
            NO_PLUGIN,
            /** The agent threw, or returned invalid actions, or its plugin could not create it. */
            AGENT_FAILED,
            /** A service the agent was bound to went away (its plugin stopped, updated or removed) and none replaces it yet. */
            SERVICE_GONE,
            /** The agent needs a service that no deployed plugin offers. */
            SERVICE_MISSING
        }

        @Override
        public String text() {
            return detail;
        }
    }

    /** A paused run steps again. */
    record RunResumed(long step) implements RunEvent {
        @Override
        public String text() {
            return "running";
        }
    }

    /** The run ended: {@code state} is terminal (finished, stopped or failed), {@code why} for people. */
    record RunEnded(RunState state, long step, String why) implements RunEvent {
        @Override
        public String text() {
            return why;
        }
    }

    /**
     * Releasing one of the run's parts after its loop ended threw ({@code detail}, for people). The
     * run still ends, with the state its loop reached: the {@link RunEnded} that follows is the end.
     */
    record CleanupFailed(long step, Part part, String detail) implements RunEvent {

        /** What was being released. */
        public enum Part {
            /** Stopping to watch the plugins and services for the agent. */
            PLUGIN_WATCH,
            /** The run's environments. */
            ENVIRONMENTS,
            /** The evaluations' environments. */
            EVALUATIONS,
            /** The run's experience store. */
            EXPERIENCE,
            /** The metrics files. */
            METRICS,
            /** A step that runs after the metrics are closed (the learning-curve plot, for example). */
            END_OF_RUN_STEP
        }

        @Override
        public String text() {
            return "closing the run's " + part.name().toLowerCase().replace('_', ' ') + " failed: " + detail;
        }
    }

    /**
     * A checkpoint was written: {@code directory} is its name under the run's checkpoints folder;
     * {@code reason} says what asked for it ({@code periodic}, {@code run stopped}, a swap...).
     */
    record CheckpointWritten(String agent, long step, String directory, String reason) implements RunEvent {
        @Override
        public String text() {
            return "checkpoint " + directory + " written (" + reason + ")";
        }
    }

    /**
     * A checkpoint could not be written ({@code pruning} false: the run has no new checkpoint), or
     * old ones could not be deleted ({@code pruning} true).
     */
    record CheckpointFailed(String agent, long step, boolean pruning, String detail) implements RunEvent {
        @Override
        public String text() {
            return pruning ? "deleting old checkpoints failed: " + detail : "checkpoint of " + agent + " failed: " + detail;
        }
    }

    /**
     * On resume, a checkpoint newer than the one resumed from was damaged and skipped.
     *
     * @param checkpoint the damaged directory's name
     * @param resumedFrom the checkpoint the run resumed from instead; empty: from the start
     */
    record DamagedCheckpointSkipped(String checkpoint, long step, String why, String resumedFrom) implements RunEvent {
        @Override
        public String text() {
            return "damaged checkpoint skipped: " + checkpoint + ": " + why + "; resuming from "
                    + (resumedFrom.isEmpty() ? "the start: no intact checkpoint is left" : resumedFrom + " at step " + step);
        }
    }

    /**
     * An evaluation ended: the mean return over {@code episodes} episodes and, for each number the
     * environment reports beside its observations, its mean over the episodes of its largest value
     * in each ({@code success}: the success rate; see {@link PlayedEpisode}).
     */
    record EvaluationFinished(long step, double meanReturn, int episodes, java.util.Map<String, Double> meanInfos)
            implements RunEvent {
        public EvaluationFinished {
            meanInfos = PlayedEpisode.sorted(meanInfos);
        }

        @Override
        public String text() {
            StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "evaluation: mean return %.1f over %d episode%s", meanReturn, episodes, episodes == 1 ? "" : "s"));
            meanInfos.forEach((name, value) -> s.append(String.format(java.util.Locale.ROOT, ", mean %s %.2f", name, value)));
            return s.toString();
        }
    }

    /** An evaluation could not be played (the evaluation envs failed, or the agent threw); the run goes on. */
    record EvaluationFailed(long step, String detail) implements RunEvent {
        @Override
        public String text() {
            return "evaluation failed: " + detail;
        }
    }

    /** An evaluation's video was written; {@code path} is relative to the run directory. */
    record EvaluationVideoWritten(long step, String path) implements RunEvent {
        @Override
        public String text() {
            return "evaluation video written to " + path;
        }
    }

    /**
     * What a resumed run found of its stored experience: {@code steps} in {@code chunks} chunk
     * files, with {@code finishedEpisodes}; {@code droppedChunks} damaged ones were dropped
     * ({@code problems} says why, for people).
     */
    record ExperienceRecovered(long step, long steps, int chunks, int finishedEpisodes, int droppedChunks, String problems)
            implements RunEvent {
        @Override
        public String text() {
            return "experience: recovered " + steps + " steps in " + chunks + " chunks (" + finishedEpisodes + " finished episodes)"
                    + (droppedChunks > 0 ? "; dropped " + droppedChunks + " damaged chunk(s): " + problems : "");
        }
    }

    /**
     * An agent got a service of another plugin through its context. {@code serviceType} is the
     * interface, {@code serviceName} its {@code worldgate.service.name}; {@code provider} and
     * {@code providerVersion} the bundle that offers it.
     *
     * @param rebound true when the run's agent had been bound to another registration of the
     *     same service before (the provider was updated, replaced or outranked)
     */
    record ServiceBound(String agent, long step, String serviceType, String serviceName, String provider,
            String providerVersion, boolean rebound) implements RunEvent {
        @Override
        public String text() {
            return "agent " + agent + (rebound ? " rebound to " : " bound to ") + serviceType + " '" + serviceName + "' of "
                    + provider + "@" + providerVersion;
        }
    }

    /**
     * The run's agent needs a service whose plugin could not offer it (its weights are unreadable,
     * say) and said so: the run fails instead of waiting for a service that will not come.
     * {@code provider} and {@code providerVersion} are the plugin's bundle; {@code reason} is its
     * account, for people (for the mae encoder: the weights' path and the cause).
     */
    record ServiceFailed(String agent, long step, String serviceType, String serviceName, String provider,
            String providerVersion, String reason) implements RunEvent {
        @Override
        public String text() {
            return "agent " + agent + " needs " + serviceType + " '" + serviceName + "', which " + provider + "@"
                    + providerVersion + " could not offer: " + reason;
        }
    }

    /**
     * An agent swapped in that could not take over the run's checkpoint (another agent family)
     * trained {@code updates} times on the run's experience before its first action, in
     * {@code seconds}; the step counter did not move.
     */
    record AgentWarmedUp(String agent, long step, int updates, double seconds) implements RunEvent {
        @Override
        public String text() {
            return String.format(java.util.Locale.ROOT, "agent %s trained %d updates on the run's experience before acting (%.1f s)",
                    agent, updates, seconds);
        }
    }

    /**
     * A service the agent was bound to is going away (its provider stopped, updated or removed): the
     * agent is checkpointed and closed before the service goes, then made again with what replaces
     * it, or the run pauses ({@link RunPaused.Reason#SERVICE_GONE}) until something does.
     */
    record ServiceGone(String agent, long step, String serviceType, String serviceName, String provider,
            String providerVersion) implements RunEvent {
        @Override
        public String text() {
            return serviceType + " '" + serviceName + "' of " + provider + "@" + providerVersion + " used by " + agent
                    + " is going away";
        }
    }

    /** A swap to {@code requested} ({@code name} or {@code name@version}) was asked for; a {@link SwapOutcome} follows. */
    record SwapRequested(String requested, long step) implements RunEvent {
        @Override
        public String text() {
            return "swap to " + requested + " requested";
        }
    }

    /** How a swap request ended: the agent changed, or it did not and why. */
    sealed interface SwapOutcome extends RunEvent permits AgentSwapped, SwapRejected {}

    /**
     * Another agent took over at a step boundary. {@code from} and {@code to} are
     * {@code name@version}; {@code from} is empty when no agent ran before in this process.
     *
     * @param checkpointLoaded whether the new agent loaded the run's checkpoint; false when it
     *     started fresh (no checkpoint yet, or one it could not read)
     */
    record AgentSwapped(String from, String to, long step, Cause cause, boolean checkpointLoaded) implements SwapOutcome {

        /** Why the agent changed. */
        public enum Cause {
            /** A swap was asked for (API or CLI). */
            REQUESTED,
            /** A higher version of the agent was deployed beside the one in use. */
            NEWER_VERSION_DEPLOYED,
            /** The plugin in use was taken away (or updated in place) and another took its place. */
            PLUGIN_REPLACED,
            /** The agent in use failed and a working version took over. */
            AGENT_FAILED,
            /** The agent was made again to bind a service that replaced one it used, and another version came up. */
            SERVICE_REBOUND
        }

        @Override
        public String text() {
            return "swapped " + (from.isEmpty() ? "in" : from + " ->") + " " + to + " (" + cause.name().toLowerCase().replace('_', ' ')
                    + (checkpointLoaded ? ", checkpoint handed over)" : ", started fresh)");
        }
    }

    /**
     * A swap to {@code requested} did not happen; the run goes on with {@code current}
     * ({@code name@version}, empty when no agent is in use).
     *
     * @param detail for people: what is deployed, what failed
     */
    record SwapRejected(String requested, Reason reason, String current, long step, String detail) implements SwapOutcome {

        /** Why a swap did not happen. */
        public enum Reason {
            /** The requested agent and version is the one in use: nothing to do. */
            ALREADY_RUNNING,
            /** No deployed plugin offers the requested version (or it went away before the swap). */
            NOT_DEPLOYED,
            /** The requested agent could not be created (incompatible with the env, or its factory threw). */
            AGENT_NOT_CREATED,
            /** Another swap was asked for before this one happened. */
            SUPERSEDED,
            /** The run ended before its next step boundary. */
            RUN_ENDED
        }

        @Override
        public String text() {
            return "swap to " + requested + " not done: " + reason.name().toLowerCase().replace('_', ' ')
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + (current.isEmpty() ? "" : "; running " + current);
        }
    }
}
