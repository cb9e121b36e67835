package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;
import java.util.Map;

/**
 * TD-MPC2 keeps the contract every agent plugin keeps (continuous specs; it refuses discrete ones),
 * at the debug size with small batches. The policy prior acts ({@code mpc=false}), so that an
 * evaluation after loading a checkpoint repeats exactly.
 */
class TdMpc2ContractTest extends AgentContractTest {
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
        return Map.of("batch_size", "4", "mpc", "false");
    }
}
