package io.worldgate.gateway.bridge;

import java.util.Map;

/**
 * A vectorized environment that reports numbers beside its observations, such as Meta-World's
 * {@code success} flag. They are not observations (an agent must not see them) but users want
 * them in the run's metrics.
 */
public interface StepInfos {

    /**
     * The numbers reported with the last reset or step: name to one value per env. Empty when the
     * environment reports none.
     */
    Map<String, float[]> lastInfos();
}
