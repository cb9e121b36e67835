package io.worldgate.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.nn.Mlp;
import io.worldgate.runtime.optim.GradientScope;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCheckpointTest {
    @TempDir
    Path dir;

    NDManager m;
    ParameterStore store;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        store = new ParameterStore(m, false);
    }

    @AfterEach
    void close() {
        m.close();
    }

    private Mlp mlp(int units) {
        Mlp mlp = Mlp.builder().units(units).layers(2).outputs(3).build();
        mlp.initialize(m, DataType.FLOAT32, new Shape(1, 5));
        return mlp;
    }

    private NDArray out(Mlp mlp, NDArray x) {
        return mlp.forward(store, new NDList(x), false).singletonOrThrow();
    }

    @Test
    void roundTripRestoresOutputsAndGradients() throws Exception {
        Mlp a = mlp(8);
        NDArray x = m.randomNormal(new Shape(4, 5));
        float[] before = out(a, x).toFloatArray();
        BlockCheckpoint.save(a, dir, "critic", "test/critic/1");
        assertThat(BlockCheckpoint.exists(dir, "critic")).isTrue();
        String header = Files.readString(BlockCheckpoint.headerFile(dir, "critic"));
        assertThat(header).contains("formatVersion=1").contains("param.0.shape=8,5").contains("param.0.name=01Linear_weight");

        Mlp b = mlp(8);
        // the store serves (and caches) b's parameter arrays before the load
        assertThat(out(b, x).toFloatArray()).isNotEqualTo(before);
        NDArray firstWeight = b.getParameters().get(0).getValue().getArray();
        int arraysBefore = m.getManagedArrays().size();
        BlockCheckpoint.load(b, dir, "critic", "test/critic/1");
        // loaded in place: same arrays, nothing left behind in the manager
        assertThat(m.getManagedArrays().size()).isEqualTo(arraysBefore);
        assertThat(b.getParameters().get(0).getValue().getArray()).isSameAs(firstWeight);
        // so the same store now computes the saved network's outputs
        assertThat(out(b, x).toFloatArray()).containsExactly(before);
        // loaded parameters train again
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(b.forward(store, new NDList(x), true).singletonOrThrow().square().sum());
        }
        try (NDArray g = b.getParameters().get(0).getValue().getArray().getGradient()) {
            assertThat(g.abs().sum().getFloat()).isGreaterThan(0f);
        }
    }

    @Test
    void shapeMismatchIsAClearError() throws Exception {
        BlockCheckpoint.save(mlp(8), dir, "critic");
        Mlp wider = mlp(16);
        NDArray x = m.randomNormal(new Shape(1, 5));
        float[] before = out(wider, x).toFloatArray();
        assertThatThrownBy(() -> BlockCheckpoint.load(wider, dir, "critic"))
                .isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("shape [8,5] in the checkpoint, [16,5] in the block");
        // nothing was loaded
        assertThat(out(wider, x).toFloatArray()).containsExactly(before);
    }

    @Test
    void otherProblemsAreIncompatibleToo() throws Exception {
        Mlp a = mlp(8);
        BlockCheckpoint.save(a, dir, "critic", "dreamer/critic/1");
        assertThatThrownBy(() -> BlockCheckpoint.load(mlp(8), dir, "critic", "tdmpc2/q/1"))
                .isInstanceOf(IncompatibleCheckpointException.class).hasMessageContaining("tdmpc2/q/1");
        Mlp deeper = Mlp.builder().units(8).layers(3).outputs(3).build();
        deeper.initialize(m, DataType.FLOAT32, new Shape(1, 5));
        assertThatThrownBy(() -> BlockCheckpoint.load(deeper, dir, "critic"))
                .isInstanceOf(IncompatibleCheckpointException.class).hasMessageContaining("parameters saved");
        Files.write(BlockCheckpoint.paramsFile(dir, "critic"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> BlockCheckpoint.load(mlp(8), dir, "critic"))
                .isInstanceOf(IncompatibleCheckpointException.class).hasMessageContaining("truncated or replaced");
        Files.writeString(BlockCheckpoint.headerFile(dir, "critic"), "format=worldgate-block-params\nformatVersion=2\n");
        assertThatThrownBy(() -> BlockCheckpoint.load(mlp(8), dir, "critic"))
                .isInstanceOf(IncompatibleCheckpointException.class).hasMessageContaining("format version 2");
        assertThatThrownBy(() -> BlockCheckpoint.load(mlp(8), dir, "missing")).isInstanceOf(NoSuchFileException.class);
    }
}
