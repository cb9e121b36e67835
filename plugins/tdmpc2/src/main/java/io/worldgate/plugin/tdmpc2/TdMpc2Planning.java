package io.worldgate.plugin.tdmpc2;

import io.worldgate.runtime.plan.Mppi;
import io.worldgate.runtime.plan.MppiSettings;
import io.worldgate.runtime.plan.Planner;

/**
 * The one place that makes the planner TD-MPC2 acts with. The planner takes its settings from the
 * config: {@code horizon}, {@code iterations}, {@code num_samples}, {@code num_elites},
 * {@code num_pi_trajs}, {@code min_std}, {@code max_std} and {@code temperature} (the paper's 3,
 * 6, 512, 64, 24, 0.05, 2 and 0.5).
 */
final class TdMpc2Planning {

    private TdMpc2Planning() {}

    /**
     * The runtime's MPPI for {@code actionSize} actions with {@code config}'s settings, or null
     * with {@code mpc=false}: the agent then acts with its policy prior.
     */
    static Planner create(TdMpc2Config config, int actionSize) {
        if (!config.mpc()) {
            return null;
        }
        return new Mppi(actionSize, new MppiSettings(config.horizon(), config.iterations(), config.numSamples(),
                config.numElites(), config.numPiTrajs(), config.temperature(), config.minStd(), config.maxStd()));
    }
}
