package ${package};

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;

/**
 * The contract the host relies on, from Worldgate's testkit: valid actions in every kind of space
 * the agent accepts, training on stored experience, save and load by a differently seeded agent,
 * foreign checkpoints refused, no thread left after close.
 */
class PluginAgentContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new PluginAgentFactory();
    }
}
