package io.worldgate.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.ActMode;
import io.worldgate.runtime.UpdateScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PerEnvStateTest {
    NDManager agent;
    PerEnvState<NDArray> states;

    @BeforeEach
    void open() {
        agent = NDManager.newBaseManager();
        states = new PerEnvState<>(agent);
    }

    @AfterEach
    void close() {
        states.close();
        agent.close();
    }

    /** One act call: keeps {@code values} for the mode. */
    NDArray keep(ActMode mode, float... values) {
        try (PerEnvState.Next<NDArray> next = states.next(mode, values.length)) {
            NDArray kept = next.manager().create(values);
            next.commit(kept);
            return kept;
        }
    }

    @Test
    void everyEntryStartsAfreshOnTheFirstCallThenOnlyWhereAnEpisodeStarts() {
        boolean[] none = {false, false, false};
        assertThat(states.get(ActMode.EXPLORE, 3)).isNull();
        assertThat(states.resets(ActMode.EXPLORE, none)).containsExactly(true, true, true);

        NDArray kept = keep(ActMode.EXPLORE, 1, 2, 3);
        assertThat(states.get(ActMode.EXPLORE, 3)).isSameAs(kept);
        assertThat(states.resets(ActMode.EXPLORE, none)).containsExactly(false, false, false);
        assertThat(states.resets(ActMode.EXPLORE, new boolean[] {false, true, false})).containsExactly(false, true, false);
        assertThat(states.resetMask(ActMode.EXPLORE, new boolean[] {true, false, true})).containsExactly(1f, 0f, 1f);
    }

    @Test
    void modesAreKeptApartAndAnotherNumberOfEnvironmentsStartsAfresh() {
        NDArray explore = keep(ActMode.EXPLORE, 1, 2, 3);
        assertThat(states.get(ActMode.EVAL, 3)).isNull();
        assertThat(states.resets(ActMode.EVAL, new boolean[3])).containsExactly(true, true, true);

        NDArray eval = keep(ActMode.EVAL, 7, 8);
        assertThat(states.get(ActMode.EVAL, 2)).isSameAs(eval);
        assertThat(states.get(ActMode.EXPLORE, 3)).isSameAs(explore);
        assertThat(explore.isReleased()).isFalse();

        // evaluation on five environments: nothing kept for five, every entry afresh
        assertThat(states.get(ActMode.EVAL, 5)).isNull();
        assertThat(states.resets(ActMode.EVAL, new boolean[5])).containsExactly(true, true, true, true, true);
        NDArray eval5 = keep(ActMode.EVAL, 1, 1, 1, 1, 1);
        assertThat(eval.isReleased()).isTrue();
        assertThat(states.get(ActMode.EVAL, 2)).isNull();
        assertThat(states.get(ActMode.EVAL, 5)).isSameAs(eval5);
    }

    @Test
    void aCommittedValueReplacesAndFreesThePreviousOne() {
        NDArray first = keep(ActMode.EXPLORE, 1, 2);
        NDArray second = keep(ActMode.EXPLORE, 3, 4);
        assertThat(first.isReleased()).isTrue();
        assertThat(states.get(ActMode.EXPLORE, 2)).isSameAs(second);
        assertThat(second.toFloatArray()).containsExactly(3f, 4f);
    }

    @Test
    void aFailedCallKeepsThePreviousValueAndFreesWhatItMade() {
        NDArray kept = keep(ActMode.EXPLORE, 1, 2);
        NDArray[] made = new NDArray[1];
        assertThatThrownBy(() -> {
            try (PerEnvState.Next<NDArray> next = states.next(ActMode.EXPLORE, 2)) {
                made[0] = next.manager().create(new float[] {5, 6});
                throw new IllegalStateException("the model failed");
            }
        }).isInstanceOf(IllegalStateException.class);
        assertThat(made[0].isReleased()).isTrue();
        assertThat(kept.isReleased()).isFalse();
        assertThat(states.get(ActMode.EXPLORE, 2)).isSameAs(kept);
    }

    @Test
    void aPreviousValueLentToAnUpdateReturnsBeforeItIsFreed() {
        NDArray prev = keep(ActMode.EXPLORE, 1, 2);
        int before = agent.getManagedArrays().size();
        try (PerEnvState.Next<NDArray> next = states.next(ActMode.EXPLORE, 2);
                UpdateScope u = UpdateScope.open(agent)) {
            NDArray lent = u.borrow(states.get(ActMode.EXPLORE, 2));
            NDArray updated = lent.add(lent);   // in the update's manager
            next.commit(u.keep(updated, next.manager()));
        }
        assertThat(prev.isReleased()).isTrue();
        assertThat(states.get(ActMode.EXPLORE, 2).toFloatArray()).containsExactly(2f, 4f);
        // one value kept before and after: nothing of the update is left behind
        assertThat(agent.getManagedArrays().size()).isEqualTo(before);
    }

    @Test
    void clearForgetsEveryMode() {
        NDArray a = keep(ActMode.EXPLORE, 1);
        NDArray b = keep(ActMode.EVAL, 2);
        states.clear();
        assertThat(a.isReleased()).isTrue();
        assertThat(b.isReleased()).isTrue();
        assertThat(states.get(ActMode.EXPLORE, 1)).isNull();
        assertThat(states.resets(ActMode.EVAL, new boolean[] {false})).containsExactly(true);
    }

    @Test
    void resetWhereTakesTheInitialStateOnlyForResetEntries() {
        try (NDManager m = agent.newSubManager()) {
            NDArray carried = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2));
            NDArray init = m.create(new float[] {-1, -2}, new Shape(1, 2));
            NDArray out = PerEnvState.resetWhere(carried, init, new boolean[] {false, true, false});
            assertThat(out.getShape()).isEqualTo(new Shape(3, 2));
            assertThat(out.toFloatArray()).containsExactly(1, 2, -1, -2, 5, 6);

            NDArray perEnv = m.create(new float[] {10, 20, 30, 40, 50, 60}, new Shape(3, 2));
            assertThat(PerEnvState.resetWhere(carried, perEnv, new boolean[] {true, false, true}).toFloatArray())
                    .containsExactly(10, 20, 3, 4, 50, 60);
            assertThatThrownBy(() -> PerEnvState.resetWhere(carried, init, new boolean[2]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
