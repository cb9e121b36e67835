package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.proto.env.v1.DType;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.ObservationSpec;
import org.junit.jupiter.api.Test;

class EpisodeIdsTest {
    private static final ObservationLayout LAYOUT = ObservationLayout.of(EnvSpec.newBuilder()
            .addObservations(ObservationSpec.newBuilder().setName("x").setDtype(DType.DTYPE_FLOAT32).addShape(1)).build(), 2);

    private static StepBatch step(EpisodeIds ids, boolean first0, boolean waiting0, boolean first1) {
        BatchBuilder b = new BatchBuilder(LAYOUT);
        b.isFirst[0] = first0;
        b.waiting[0] = waiting0;
        b.isFirst[1] = first1;
        b.rewards[0] = 1;
        b.rewards[1] = 1;
        return ids.label(b);
    }

    @Test
    void aNewIdAtEachFirstStepButOneForAWholeWaitAndNoRewardOnFirstSteps() {
        EpisodeIds ids = new EpisodeIds(2);
        StepBatch reset = step(ids, true, false, true);
        assertThat(reset.episodeIds()).containsExactly(0, 1);
        assertThat(reset.rewards()).containsExactly(0f, 0f);
        StepBatch mid = step(ids, false, false, false);
        assertThat(mid.episodeIds()).containsExactly(0, 1);
        assertThat(mid.rewards()).containsExactly(1f, 1f);
        StepBatch wait1 = step(ids, true, true, false);
        assertThat(wait1.episodeIds()).containsExactly(2, 1);
        assertThat(ids.waiting(0)).isTrue();
        StepBatch wait2 = step(ids, true, true, true);
        assertThat(wait2.episodeIds()).as("env 0 goes on waiting: same stand-in episode").containsExactly(2, 3);
        StepBatch back = step(ids, true, false, false);
        assertThat(back.episodeIds()).as("the restarted worker's first step starts a new episode").containsExactly(4, 3);
        assertThat(ids.waiting(0)).isFalse();
    }
}
