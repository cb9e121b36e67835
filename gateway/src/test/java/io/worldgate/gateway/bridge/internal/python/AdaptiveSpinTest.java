package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class AdaptiveSpinTest {
    private static final long NO_DEADLINE = Long.MAX_VALUE / 4;
    /** For the rules other than preemption, which a busy machine would set off at any time. */
    private static final long NEVER_PREEMPTED = Long.MAX_VALUE / 4;
    private final AtomicInteger looks = new AtomicInteger();
    private final BooleanSupplier ready = () -> {
        looks.incrementAndGet();
        return true;
    };

    @Test
    void anAnswerAlreadyThereIsTakenAndNoBudgetMeansNoWatching() {
        AdaptiveSpin spin = new AdaptiveSpin(1000, NEVER_PREEMPTED);
        assertThat(spin.spin(ready, NO_DEADLINE)).isTrue();
        spin.done();
        assertThat(new AdaptiveSpin(0).spin(ready, NO_DEADLINE)).isFalse();
        assertThat(looks).hasValue(1);
    }

    @Test
    void onlyX86HostsWatchTheStepChannel() {
        // the worker's plain stores reach another core in order only there (spin.py)
        assertThat(WorkerStarter.spinMicros(2000, "amd64")).isEqualTo(2000);
        assertThat(WorkerStarter.spinMicros(2000, "x86_64")).isEqualTo(2000);
        assertThat(WorkerStarter.spinMicros(2000, "aarch64")).isZero();
        assertThat(WorkerStarter.spinMicros(2000, "ppc64le")).isZero();
    }

    @Test
    void afterAWaitLongerThanTheBudgetOnlyProbesWatch() throws Exception {
        AdaptiveSpin spin = new AdaptiveSpin(100, NEVER_PREEMPTED);
        assertThat(spin.spin(() -> false, NO_DEADLINE)).isFalse(); // nothing within 100 us: the caller sleeps
        Thread.sleep(2); // and the answer comes 2 ms later
        spin.done();
        int skipped = 0;
        while (!spin.spin(ready, NO_DEADLINE)) {
            spin.done(); // answers that came at once by the socket: short waits, but not watched
            skipped++;
        }
        spin.done();
        assertThat(skipped).isBetween(1, AdaptiveSpin.PROBE_EVERY - 1);
        assertThat(looks).hasValue(1); // only the probe looked
        assertThat(spin.spin(ready, NO_DEADLINE)).isTrue(); // its wait was short: watching again
    }

    @Test
    void aWatchThatLosesItsCoreStopsWatchingForAWhile() {
        AdaptiveSpin spin = new AdaptiveSpin(1_000_000);
        BooleanSupplier preempted = () -> {
            looks.incrementAndGet();
            long until = System.nanoTime() + 2 * AdaptiveSpin.PREEMPTED_NANOS;
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // as if another thread had held the core between two looks
            }
            return false;
        };
        assertThat(spin.spin(preempted, NO_DEADLINE)).isFalse();
        spin.done();
        assertThat(looks).hasValue(1); // gave up at the first long gap, not at the 1 s budget
        for (int i = 0; i < AdaptiveSpin.BACK_OFF_WAITS - 1; i++) {
            assertThat(spin.spin(ready, NO_DEADLINE)).isFalse();
            spin.done();
        }
        assertThat(looks).hasValue(1);
        assertThat(spin.spin(ready, NO_DEADLINE)).isTrue();
    }

    @Test
    void theDeadlineEndsAWatch() {
        AdaptiveSpin spin = new AdaptiveSpin(10_000_000, NEVER_PREEMPTED);
        long start = System.nanoTime();
        assertThat(spin.spin(() -> false, start + 1_000_000)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(9_000_000);
    }
}
