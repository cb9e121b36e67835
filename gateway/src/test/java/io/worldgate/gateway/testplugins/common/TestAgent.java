package io.worldgate.gateway.testplugins.common;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.Tensor;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Shared by the test plugins: a discrete agent that always picks action 0, with hooks to misbehave. */
public class TestAgent implements Agent {

    public static AgentDescriptor descriptor(String name) {
        return new AgentDescriptor(name, "test plugin", EnumSet.allOf(ActionKind.class), Set.of(), List.of(), Map.of(), null);
    }

    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        int n = observations.size();
        return Tensor.ofInts(new int[n], n);
    }

    @Override
    public Map<String, Double> train(int updates) {
        return Map.of();
    }

    @Override
    public void save(Path directory) {}

    @Override
    public void load(Path directory) {}

    @Override
    public void close() {}

    protected static int choices(DiscreteSpace space) {
        return space.n();
    }
}
