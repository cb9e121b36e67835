package io.worldgate.api.agent;

/** Why the host asks for actions. */
public enum ActMode {
    /** Collecting experience: sample from the policy, add exploration noise where the agent uses it. */
    EXPLORE,
    /** Evaluating: the agent's best action (mode of the policy, no exploration noise). */
    EVAL
}
