package io.worldgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.optim.GradientScope;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UpdateScopeTest {

    @Test
    void keepBorrowAndFree() {
        try (NDManager base = NDManager.newBaseManager(); NDManager state = base.newSubManager()) {
            NDArray carried = state.ones(new ai.djl.ndarray.types.Shape(3));
            NDArray kept;
            NDArray temp;
            try (UpdateScope u = UpdateScope.open(base)) {
                u.borrow(carried);
                temp = carried.mul(2);          // lands in the scope: carried is attached to it now
                kept = u.keep(temp.add(1), state);
                assertThat(u.liveArrays()).isGreaterThanOrEqualTo(2);
            }
            // temporaries freed; the kept array moved to 'state'; the borrowed one went back there
            assertThat(temp.isReleased()).isTrue();
            assertThat(kept.isReleased()).isFalse();
            assertThat(kept.toFloatArray()).containsExactly(3f, 3f, 3f);
            assertThat(carried.isReleased()).isFalse();
            assertThat(carried.getManager()).isSameAs(state);
        }
    }

    @Test
    void gradientScopesFromTwoThreadsTakeTurns() throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong secondOpenedAt = new AtomicLong();
        long[] firstClosedAt = new long[1];
        Thread other = new Thread(() -> {
            try {
                opened.await();
                try (GradientScope s = GradientScope.open()) {
                    secondOpenedAt.set(System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        try (GradientScope s = GradientScope.open()) {
            opened.countDown();
            release.await(200, TimeUnit.MILLISECONDS); // give the other thread time to block
            assertThatThrownBy(GradientScope::open).isInstanceOf(IllegalStateException.class);
            firstClosedAt[0] = System.nanoTime();
        }
        other.join(10_000);
        assertThat(secondOpenedAt.get()).isGreaterThan(firstClosedAt[0]);
    }
}
