package io.worldgate.gateway.run;

/**
 * Something that happened in a run, as a type: a listener switches over the kinds it cares about
 * and reads their fields, never the text. Kinds are added here as the run's events get types of
 * their own (pause, resume, checkpoint, video written, ...); until then they arrive as a
 * {@link Note}, whose text is for people only.
 */
public sealed interface RunEvent {

    /** The run's env step when it happened. */
    long step();

    /** One line for people; its wording may change, so never parse it. */
    String text();

    /** An event without a type of its own yet. */
    record Note(long step, String text) implements RunEvent {}

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
            AGENT_FAILED
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
