package io.worldgate.runtime.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NoGradientTest {

    /** What a fresh thread sees, and that the scope switches recording off there and back on. */
    @Test
    void aNewThreadRecordsUntilTheScopeSwitchesItOff() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f});
            w.setRequiresGradient(true);
            AtomicReference<boolean[]> seen = new AtomicReference<>();
            Thread t = new Thread(() -> {
                boolean before = NoGradient.isRecording();
                boolean inside;
                boolean resultRecords;
                try (NoGradient off = NoGradient.open()) {
                    inside = NoGradient.isRecording();
                    try (NDArray y = w.mul(2f)) {
                        resultRecords = y.hasGradient();
                    }
                }
                seen.set(new boolean[] {before, inside, resultRecords, NoGradient.isRecording()});
            });
            t.start();
            t.join();
            assertThat(NoGradient.isSupported()).isTrue();
            boolean[] s = seen.get();
            // libtorch's grad mode is per thread and starts on; DJL switches it off only where it loads
            assertThat(s[0]).as("recording on a new thread").isTrue();
            assertThat(s[1]).as("recording inside the scope").isFalse();
            assertThat(s[2]).as("result needs grad inside the scope").isFalse();
            assertThat(s[3]).as("restored after the scope").isTrue();
        }
    }

    @Test
    void nestsInsideAGradientScope() {
        try (GradientScope tape = GradientScope.open()) {
            assertThat(NoGradient.isRecording()).isTrue();
            try (NoGradient off = NoGradient.open()) {
                assertThat(NoGradient.isRecording()).isFalse();
            }
            assertThat(NoGradient.isRecording()).isTrue();
        }
    }
}
