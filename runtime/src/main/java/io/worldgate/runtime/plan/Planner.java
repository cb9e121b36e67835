package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;

/** Chooses actions by searching over action sequences rolled through a {@link LatentModel}. */
public interface Planner {

    /**
     * Plans from each of {@code latents [N, Z]}.
     *
     * @param prior proposes part of the candidate sequences; null for none
     * @param previous the plan of the previous step for the same {@code N} environments, whose
     *     mean, shifted by one step, warm-starts the search; null for none
     * @param fresh per environment, whether its episode has just begun: its row of
     *     {@code previous} is ignored (the search starts cold there); null when none has
     * @param explore whether the action is sampled from the final distribution (training) rather
     *     than its mean (evaluation)
     */
    Plan plan(NDArray latents, LatentModel model, ActionPrior prior, Plan previous, boolean[] fresh, boolean explore);
}
