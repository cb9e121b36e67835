package io.worldgate.runtime.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpacesTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    static final BoxSpace IMAGE = BoxSpace.image(16, 32, 3);
    static final BoxSpace STATE = BoxSpace.uniform(DType.FLOAT32, -10, 10, 2, 3);
    /** Element 0 in [-2, 2], element 1 in [0, 10]. */
    static final BoxSpace BOX = new BoxSpace(DType.FLOAT32, new int[] {2}, new double[] {-2, 0}, new double[] {2, 10});

    static EnvSpec spec(Map<String, Space> obs, Space actions) {
        return new EnvSpec("test", new DictSpace(obs), actions, 1, 0, Map.of());
    }

    static Map<String, Space> both() {
        Map<String, Space> obs = new LinkedHashMap<>();
        obs.put("state", STATE);
        obs.put("image", IMAGE);
        return obs;
    }

    @Test
    void choosesTheObservationsAskedForOrAll() {
        Spaces all = new Spaces(spec(both(), new DiscreteSpace(4)), List.of(), "a");
        assertThat(all.keys()).containsExactly("image", "state");
        assertThat(all.imageHeight()).isEqualTo(16);
        assertThat(all.imageWidth()).isEqualTo(32);
        assertThat(all.imageChannels()).isEqualTo(3);
        assertThat(all.stateSize()).isEqualTo(6);

        Spaces state = new Spaces(spec(both(), new DiscreteSpace(4)), List.of("state"), "a");
        assertThat(state.keys()).containsExactly("state");
        assertThat(state.hasImage()).isFalse();
        assertThatThrownBy(state::imageHeight).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesWhatTheModelCannotUse() {
        Space d = new DiscreteSpace(2);
        assertThatThrownBy(() -> new Spaces(spec(Map.of("state", STATE), d), List.of("image"), "a"))
                .isInstanceOf(AgentException.class);
        assertThatThrownBy(() -> new Spaces(spec(Map.of("other", STATE), d), List.of(), "a"))
                .isInstanceOf(AgentException.class);
        BoxSpace floatImage = BoxSpace.uniform(DType.FLOAT32, 0, 1, 8, 8, 3);
        assertThatThrownBy(() -> new Spaces(spec(Map.of("image", floatImage), d), List.of(), "a"))
                .isInstanceOf(AgentException.class);
        BoxSpace intActions = BoxSpace.uniform(DType.INT32, 0, 3, 2);
        assertThatThrownBy(() -> new Spaces(spec(Map.of("state", STATE), intActions), List.of(), "a"))
                .isInstanceOf(AgentException.class);
        BoxSpace unbounded = BoxSpace.uniform(DType.FLOAT32, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 2);
        assertThatThrownBy(() -> new Spaces(spec(Map.of("state", STATE), unbounded), List.of(), "a"))
                .isInstanceOf(AgentException.class);
    }

    @Test
    void discreteActionsAreOneHotInTheModelAndIndicesForTheHost() {
        Spaces s = new Spaces(spec(Map.of("state", STATE), new DiscreteSpace(4)), List.of(), "a");
        assertThat(s.discrete()).isTrue();
        assertThat(s.actionSize()).isEqualTo(4);
        NDArray model = s.modelActions(m.create(new int[] {2, 0}), 1);
        assertThat(model.getShape()).isEqualTo(new Shape(2, 4));
        assertThat(model.toFloatArray()).containsExactly(0, 0, 1, 0, 1, 0, 0, 0);

        Tensor host = s.hostActions(m.create(new float[] {0.1f, 0.7f, 0.2f, 0f, 0f, 0f, 0f, 0.9f}, new Shape(2, 4)));
        assertThat(host.dtype()).isEqualTo(DType.INT32);
        assertThat(host.shape()).containsExactly(2);
        assertThat(host.toIntArray()).containsExactly(1, 3);
    }

    @Test
    void boxActionsMapLinearlyBetweenTheBoundsAndMinusOneToOne() {
        Spaces s = new Spaces(spec(Map.of("state", STATE), BOX), List.of(), "a");
        assertThat(s.discrete()).isFalse();
        assertThat(s.actionSize()).isEqualTo(2);
        // a = 2 (x - low) / (high - low) - 1: (1, 5) -> (0.5, 0); (-2, 10) -> (-1, 1); (3, -1) clipped -> (1, -1)
        NDArray model = s.modelActions(m.create(new float[] {1, 5, -2, 10, 3, -1}, new Shape(3, 2)), 1);
        float[] a = model.toFloatArray();
        float[] expected = {0.5f, 0f, -1f, 1f, 1f, -1f};
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(expected[i], within(1e-6f));
        }
        // x = low + (a + 1) / 2 (high - low): (0.5, 0) -> (1, 5); (2, -3) clipped -> (2, 0)
        Tensor host = s.hostActions(m.create(new float[] {0.5f, 0f, 2f, -3f}, new Shape(2, 2)));
        assertThat(host.shape()).containsExactly(2, 2);
        assertThat(host.toFloatArray()).containsExactly(1f, 5f, 2f, 0f);
    }

    @Test
    void stateObservationsBecomeFloatVectorsOverAnyLeadingAxes() {
        BoxSpace ints = BoxSpace.uniform(DType.INT32, 0, 9, 2, 3);
        Spaces s = new Spaces(spec(Map.of("state", ints), new DiscreteSpace(2)), List.of(), "a");
        NDArray x = m.arange(0, 24, 1, DataType.INT32).reshape(2, 2, 2, 3);
        NDArray v = s.stateVector(x);
        assertThat(v.getShape()).isEqualTo(new Shape(2, 2, 6));
        assertThat(v.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(v.toFloatArray()[7]).isEqualTo(7f);
    }
}
