package io.worldgate.plugin.mae;

import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.testkit.FakeExperience;
import java.util.Map;
import java.util.SplittableRandom;

/** Synthetic frames for the tests: coloured squares on a dark background. */
final class Frames {
    private Frames() {}

    static DictSpace space(int size) {
        return new DictSpace(Map.of("image", BoxSpace.image(size, size, 3)));
    }

    /** One {@code size x size} RGB frame with {@code squares} squares of side {@code size/4} in random places and colours. */
    static Tensor squares(int size, int squares, SplittableRandom rng) {
        Tensor t = Tensor.allocate(DType.UINT8, size, size, 3);
        for (int i = 0; i < size * size * 3; i++) {
            t.setDouble(i, 20);
        }
        int side = size / 4;
        for (int s = 0; s < squares; s++) {
            int y0 = rng.nextInt(size - side);
            int x0 = rng.nextInt(size - side);
            int[] colour = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            for (int y = y0; y < y0 + side; y++) {
                for (int x = x0; x < x0 + side; x++) {
                    for (int c = 0; c < 3; c++) {
                        t.setDouble((y * size + x) * 3 + c, colour[c]);
                    }
                }
            }
        }
        return t;
    }

    /** An experience of {@code count} fixed frames of coloured squares. */
    static FakeExperience experience(int size, int count, long seed) {
        FakeExperience e = new FakeExperience(Map.of("image", new TensorSpec(DType.UINT8, new int[] {size, size, 3})),
                new TensorSpec(DType.INT32, new int[0]));
        SplittableRandom rng = new SplittableRandom(seed);
        for (int t = 0; t < count; t++) {
            e.add(new FakeExperience.Step(Map.of("image", squares(size, 2, rng)), Tensor.ofInts(new int[] {0}), 0f, t == 0,
                    false));
        }
        return e;
    }
}
