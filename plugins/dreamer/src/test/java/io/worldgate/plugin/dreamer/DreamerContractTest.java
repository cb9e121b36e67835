package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;
import java.util.Map;

/** Dreamer keeps the contract every agent plugin keeps, at the debug size with small batches. */
class DreamerContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new DreamerAgentFactory();
    }

    @Override
    protected String preset() {
        return "debug";
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("batch_size", "2", "batch_length", "8");
    }
}
