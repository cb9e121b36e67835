package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpisodeTallyTest {
    private final List<String> scalars = new ArrayList<>();
    private final List<String> finished = new ArrayList<>();
    private final EpisodeTally tally = new EpisodeTally(new EpisodeTally.Output() {
        @Override
        public void scalar(String tag, double value) {
            scalars.add(tag + "=" + value);
        }

        @Override
        public void episodeFinished(double episodeReturn, int length) {
            finished.add(episodeReturn + "/" + length + " counted " + tally.finished().count());
        }
    });

    @Test
    void aFinishedEpisodeCountsItsReturnAndACutOneIsKeptApart() {
        tally.track(2, new EpisodeInfos(new EpisodeInfosTest.Reporting()));
        tally.stepped(0, 1, false);
        tally.stepped(0, 2, true);
        assertThat(finished).as("told once counted").containsExactly("3.0/2 counted 1");
        assertThat(tally.returns()).containsExactly(3.0);
        tally.ended(1, 5, 7, true);
        assertThat(tally.returns()).as("a cut return is not a return").containsExactly(3.0);
        assertThat(tally.cutCount()).isEqualTo(1);
        assertThat(scalars).containsExactly("episode/return=3.0", "episode/length=2.0", EpisodeInfos.CUT_RETURN_TAG + "=5.0",
                EpisodeInfos.CUT_LENGTH_TAG + "=7.0");
        assertThat(tally.finished()).isEqualTo(new EpisodeTally.Finished(1, 3.0));
    }

    @Test
    void cuttingEpisodesInProgressCutsOnlyThoseThatTookAStepAndStartsAllAfresh() {
        tally.track(2, new EpisodeInfos(new EpisodeInfosTest.Reporting()));
        tally.stepped(1, 4, false);
        tally.cutInProgress();
        assertThat(tally.cutCount()).isEqualTo(1);
        assertThat(scalars).containsExactly(EpisodeInfos.CUT_RETURN_TAG + "=4.0", EpisodeInfos.CUT_LENGTH_TAG + "=1.0");
        tally.stepped(1, 1, true);
        assertThat(tally.returns()).as("the next episode starts from 0").containsExactly(1.0);
        assertThat(tally.finished().lastReturn()).isEqualTo(1.0);
    }

    @Test
    void noEpisodeYetMeansNoLastReturn() {
        assertThat(tally.finished().count()).isZero();
        assertThat(tally.finished().lastReturn()).isNaN();
    }
}
