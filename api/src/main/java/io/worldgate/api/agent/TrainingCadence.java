package io.worldgate.api.agent;

/**
 * Who decides when an agent learns, declared in its {@link AgentDescriptor}.
 *
 * @since API 1.3
 */
public enum TrainingCadence {
    /**
     * The host acts with the agent on the run's environments and calls {@code train(n)} with as
     * many updates as the run's train ratio gives for the steps taken (Dreamer, TD-MPC2).
     */
    REPLAY_RATIO,
    /**
     * The agent drives its own generations (CEM, CMA-ES, World Models' controller): the host never
     * calls {@code act} during training; it calls {@code train(1)}, one generation, over and over
     * until the step budget is spent. A generation scores its candidates with the
     * {@link AgentContext#populationEvaluator() population evaluator}, whose steps are the run's
     * steps. A generation that takes no environment step is an error of the agent (it would never
     * spend the budget): the run pauses as for an agent that throws. The train ratio and prefill
     * do not apply; evaluations and checkpoints still come at their step intervals, between
     * generations.
     */
    GENERATIONS
}
