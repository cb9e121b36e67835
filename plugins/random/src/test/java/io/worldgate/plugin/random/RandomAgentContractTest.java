package io.worldgate.plugin.random;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;

/** The random agent keeps the contract every agent plugin keeps. */
class RandomAgentContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new RandomAgentFactory();
    }
}
