package ${package};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of this agent's own behaviour as plain Java objects: no OSGi framework, no gateway. The
 * spaces, tensors and step batches are the API's own classes, built by hand here; the context is
 * the testkit's. {@link PluginAgentContractTest} checks the contract every agent keeps.
 */
class PluginAgentTest {
    private static final int ENVS = 4;
    private static final int STATE_SIZE = 3;

    @Test
    void actsWithValidActionsInADiscreteSpace() {
        EnvSpec spec = spec(new DiscreteSpace(5));
        try (PluginAgent agent = new PluginAgent(spec, 1.0, 42)) {
            for (ActMode mode : ActMode.values()) {
                for (int step = 0; step < 50; step++) {
                    Tensor actions = agent.act(batch(step == 0), mode);
                    assertEquals(DType.INT32, actions.dtype());
                    assertArrayEquals(new int[] {ENVS}, actions.shape());
                    assertEquals(Optional.empty(), spec.actionSpace().validateBatch(actions, ENVS));
                }
            }
        }
    }

    @Test
    void actsWithValidActionsInABoxSpace() {
        BoxSpace box = new BoxSpace(DType.FLOAT32, new int[] {2}, new double[] {-1, 0.1}, new double[] {1, 0.3});
        EnvSpec spec = spec(box);
        try (PluginAgent agent = new PluginAgent(spec, 0.5, 7)) {
            for (int step = 0; step < 200; step++) {
                Tensor actions = agent.act(batch(step == 0), ActMode.EXPLORE);
                assertEquals(DType.FLOAT32, actions.dtype());
                assertArrayEquals(new int[] {ENVS, 2}, actions.shape());
                assertEquals(Optional.empty(), box.validateBatch(actions, ENVS));
                for (int i = 0; i < ENVS; i++) {
                    // action_scale 0.5 samples the middle half of each dimension's range.
                    assertTrue(Math.abs(actions.getFloat(i * 2L)) <= 0.5f + 1e-6f);
                }
            }
        }
    }

    @Test
    void resetsPerEnvironmentStateWhereAnEpisodeBegins() {
        try (PluginAgent agent = new PluginAgent(spec(new DiscreteSpace(2)), 1.0, 1)) {
            agent.act(batch(true), ActMode.EXPLORE);
            agent.act(batch(false), ActMode.EXPLORE);
            agent.act(batch(false), ActMode.EXPLORE);
            assertEquals(2, agent.episodeSteps(ActMode.EXPLORE, 0));
            boolean[] first = new boolean[ENVS];
            first[1] = true;
            agent.act(batch(first), ActMode.EXPLORE);
            assertEquals(3, agent.episodeSteps(ActMode.EXPLORE, 0));
            assertEquals(0, agent.episodeSteps(ActMode.EXPLORE, 1));
        }
    }

    @Test
    void evaluationInFewerEnvironmentsLeavesTrainingStateAlone() {
        EnvSpec spec = spec(new DiscreteSpace(3));
        try (PluginAgent agent = new PluginAgent(spec, 1.0, 1)) {
            agent.act(batch(true), ActMode.EXPLORE);
            agent.act(batch(false), ActMode.EXPLORE);
            // The host evaluates on environments of its own, here 2 of them.
            StepBatch eval = batch(new boolean[] {true, true});
            Tensor actions = agent.act(eval, ActMode.EVAL);
            assertEquals(Optional.empty(), spec.actionSpace().validateBatch(actions, 2));
            assertEquals(0, agent.episodeSteps(ActMode.EVAL, 0));
            assertEquals(1, agent.episodeSteps(ActMode.EXPLORE, 0));
        }
    }

    @Test
    void aLoadedCheckpointContinuesWhereTheSavedAgentWas(@TempDir Path dir) throws Exception {
        EnvSpec spec = spec(new DiscreteSpace(1000));
        try (PluginAgent saved = new PluginAgent(spec, 1.0, 1); PluginAgent loaded = new PluginAgent(spec, 1.0, 2)) {
            for (int i = 0; i < 10; i++) {
                saved.act(batch(i == 0), ActMode.EXPLORE);
            }
            saved.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve(PluginAgent.CHECKPOINT_FILE)));
            loaded.load(dir);
            assertEquals(10, loaded.actCalls());
            // Same generator position: both choose the same actions from here on.
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(saved.act(batch(false), ActMode.EXPLORE).toIntArray(),
                        loaded.act(batch(false), ActMode.EXPLORE).toIntArray());
            }
        }
    }

    @Test
    void rejectsCheckpointsItCannotUse(@TempDir Path dir) throws Exception {
        try (PluginAgent agent = new PluginAgent(spec(new DiscreteSpace(3)), 1.0, 1)) {
            // Another agent's checkpoint: our file is not there.
            Files.writeString(dir.resolve("weights.bin"), "something else");
            assertThrows(IncompatibleCheckpointException.class, () -> agent.load(dir));

            // Our file, but a format this version does not know.
            Files.writeString(dir.resolve(PluginAgent.CHECKPOINT_FILE), "some other format v9\nseed=1\n",
                    StandardCharsets.UTF_8);
            assertThrows(IncompatibleCheckpointException.class, () -> agent.load(dir));
        }
        // A checkpoint written for another action space.
        Path other = Files.createDirectory(dir.resolve("other"));
        try (PluginAgent discrete = new PluginAgent(spec(new DiscreteSpace(3)), 1.0, 1);
                PluginAgent boxed = new PluginAgent(spec(BoxSpace.uniform(DType.FLOAT32, -1, 1, 2)), 1.0, 1)) {
            discrete.save(other);
            assertThrows(IncompatibleCheckpointException.class, () -> boxed.load(other));
        }
    }

    @Test
    void refusesBoxSpacesThatAreNotFloat32() {
        BoxSpace ints = BoxSpace.uniform(DType.INT32, 0, 10, 2);
        assertThrows(AgentException.class, () -> new PluginAgent(spec(ints), 1.0, 1));
    }

    @Test
    void theFactoryDescribesTheAgentAndCreatesIt(@TempDir Path dir) {
        PluginAgentFactory factory = new PluginAgentFactory();
        assertEquals("${agentName}", factory.descriptor().name());
        assertTrue(factory.descriptor().presets().containsKey("default"), "the preset resource is on the classpath");

        AgentConfig config = AgentConfig.resolve(factory.descriptor(), null, Map.of("action_scale", "0.25"));
        assertEquals(0.25, config.getDouble("action_scale"));
        assertThrows(ConfigException.class,
                () -> AgentConfig.resolve(factory.descriptor(), null, Map.of("action_scale", "2")));
        assertThrows(ConfigException.class,
                () -> AgentConfig.resolve(factory.descriptor(), null, Map.of("no_such_key", "1")));

        EnvSpec spec = spec(new DiscreteSpace(2));
        assertFalse(factory.incompatibility(spec).isPresent());
        try (Agent agent = factory.create(spec, config, new FakeAgentContext(RandomRollouts.of(spec, 20, 0), dir, 0))) {
            assertEquals(Optional.empty(), spec.actionSpace().validateBatch(agent.act(batch(true), ActMode.EVAL), ENVS));
            assertEquals(Map.of(), agent.train(1));
        }
    }

    private static EnvSpec spec(Space actionSpace) {
        DictSpace observations = new DictSpace(Map.of(DictSpace.STATE, BoxSpace.uniform(DType.FLOAT32, -10, 10, STATE_SIZE)));
        return new EnvSpec("test:Env", observations, actionSpace, ENVS, 100, Map.of());
    }

    private static StepBatch batch(boolean first) {
        boolean[] isFirst = new boolean[ENVS];
        Arrays.fill(isFirst, first);
        return batch(isFirst);
    }

    /** Observations of {@code isFirst.length} environments, with the given first-step flags. */
    private static StepBatch batch(boolean[] isFirst) {
        int n = isFirst.length;
        Tensor state = Tensor.ofFloats(new float[n * STATE_SIZE], n, STATE_SIZE);
        long[] episodeIds = new long[n];
        Arrays.setAll(episodeIds, i -> i);
        return new StepBatch(NamedTensors.of(DictSpace.STATE, state), new float[n], new boolean[n],
                new boolean[n], isFirst, episodeIds);
    }
}
