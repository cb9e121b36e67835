/**
 * Test support for agent plugins, with no gateway and no OSGi framework: {@link
 * io.worldgate.testkit.FakeAgentContext} (an {@code AgentContext} over a {@link
 * io.worldgate.testkit.FakeExperience} and a {@link io.worldgate.testkit.RecordingMetricsSink}),
 * {@link io.worldgate.testkit.TestSpecs} and {@link io.worldgate.testkit.StepBatches} for every
 * kind of space, {@link io.worldgate.testkit.FakePopulationEvaluator} (the host's population
 * evaluator over a toy task), {@link io.worldgate.testkit.AgentContractTest}, the contract every agent
 * plugin's tests extend, and {@link io.worldgate.testkit.ExperienceContractTest}, the contract
 * the host's experience stores and the fake share. For learner plugins (which train without
 * acting): {@link io.worldgate.testkit.FakeLearnerContext} and
 * {@link io.worldgate.testkit.LearnerContractTest}. Stand-in image encoder services, for agents
 * that take one: {@code io.worldgate.testkit.encoders}.
 */
package io.worldgate.testkit;
