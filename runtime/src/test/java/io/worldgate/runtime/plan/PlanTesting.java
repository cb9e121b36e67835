package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Small helpers shared by the planner tests. */
final class PlanTesting {

    private PlanTesting() {}

    static NDArray latents(NDManager m, float[]... rows) {
        float[] flat = new float[rows.length * 2];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, 2 * i, 2);
        }
        return m.create(flat, new Shape(rows.length, 2));
    }

    /** Row {@code i} of a {@code [N, A]} array. */
    static float[] row(NDArray a, int i) {
        int width = (int) a.getShape().get(1);
        float[] all = a.toFloatArray();
        float[] r = new float[width];
        System.arraycopy(all, i * width, r, 0, width);
        return r;
    }

    static double maxError(float[] got, float[] want) {
        double e = 0;
        for (int i = 0; i < got.length; i++) {
            e = Math.max(e, Math.abs(got[i] - want[i]));
        }
        return e;
    }

    /** A previous plan whose step-1 mean is {@code next} per environment (step 0 arbitrary). */
    static Plan previousWithNext(NDManager m, float[]... next) {
        int n = next.length;
        float[] mean = new float[2 * n * 2];
        for (int i = 0; i < n; i++) {
            mean[2 * i] = 0.9f;
            mean[2 * i + 1] = 0.9f;
            mean[2 * n + 2 * i] = next[i][0];
            mean[2 * n + 2 * i + 1] = next[i][1];
        }
        NDArray meanArr = m.create(mean, new Shape(2, n, 2));
        return new Plan(meanArr.get(0), meanArr, meanArr.onesLike());
    }

    static void assertInside(float[] values, float lo, float hi) {
        for (float v : values) {
            org.assertj.core.api.Assertions.assertThat(v).isBetween(lo, hi);
        }
    }
}
