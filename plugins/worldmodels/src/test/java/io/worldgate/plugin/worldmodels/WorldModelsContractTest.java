package io.worldgate.plugin.worldmodels;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.testkit.AgentContractTest;

/**
 * World Models keeps the contract every agent plugin keeps (the image specs; it refuses those
 * without 64x64 frames), at the debug size: its first {@code train(1)} collects random episodes
 * through the fake evaluator and trains V and M, later ones are dream generations.
 */
class WorldModelsContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        return new WorldModelsAgentFactory();
    }

    @Override
    protected String preset() {
        return "debug";
    }
}
