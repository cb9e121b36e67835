package io.worldgate.plugin.tdmpc2;

import io.worldgate.runtime.plan.Planner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that makes the planner TD-MPC2 acts with. The planner takes its settings from the
 * config: {@code horizon}, {@code iterations}, {@code num_samples}, {@code num_elites},
 * {@code num_pi_trajs}, {@code min_std}, {@code max_std} and {@code temperature} (the paper's 3,
 * 6, 512, 64, 24, 0.05, 2 and 0.5).
 */
final class TdMpc2Planning {
    private static final Logger LOG = LoggerFactory.getLogger(TdMpc2Planning.class);

    private TdMpc2Planning() {}

    /**
     * The MPPI planner for {@code config}, or null while the runtime offers none: the agent then
     * acts with its policy prior, as with {@code mpc=false}.
     */
    static Planner create(TdMpc2Config config) {
        if (!config.mpc()) {
            return null;
        }
        // MERGE POINT: return runtime.plan's MPPI here, built from the settings listed above
        LOG.info("tdmpc2: no MPPI planner in this runtime yet; the policy prior acts (as with mpc=false)");
        return null;
    }
}
