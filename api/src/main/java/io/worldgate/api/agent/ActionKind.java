package io.worldgate.api.agent;

/** The kinds of action space an agent can act in. */
public enum ActionKind {
    /** {@link io.worldgate.api.space.DiscreteSpace}. */
    DISCRETE,
    /** A float32 {@link io.worldgate.api.space.BoxSpace}. */
    CONTINUOUS
}
