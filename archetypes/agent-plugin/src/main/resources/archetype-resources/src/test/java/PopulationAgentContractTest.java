package ${package};

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;
import java.util.Map;

/**
 * The host's contract for the population-based agent. Because its factory declares the
 * generations cadence, the testkit lends it a population evaluator over a toy task and also checks
 * that each generation takes environment steps.
 */
class PopulationAgentContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new PopulationAgentFactory();
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("population", "4", "elite", "2");
    }
}
