package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;
import java.util.Map;

/**
 * The contract again with the runtime's MPPI planning at act time ({@code mpc=true}, the debug
 * preset's small search). MPPI draws its samples from the engine's generator, which a checkpoint
 * does not carry, so an evaluation after loading need not repeat exactly.
 */
class TdMpc2PlanningContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new TdMpc2AgentFactory();
    }

    @Override
    protected String preset() {
        return "debug";
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("batch_size", "4", "mpc", "true");
    }

    @Override
    protected boolean evaluationRepeatsAfterLoad() {
        return false;
    }
}
