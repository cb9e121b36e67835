package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.MetricsWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeMetricsWriterTest {
    /** Records calls; throws on every call when {@code fail} is set. */
    private static final class Recording implements MetricsWriter {
        final List<String> calls = new ArrayList<>();
        final String fail;

        Recording(String fail) {
            this.fail = fail;
        }

        private void record(String call) {
            calls.add(call);
            if (fail != null) {
                throw new IllegalStateException(fail);
            }
        }

        @Override
        public void scalar(String tag, double value, long step) {
            record("scalar " + tag + " " + value + " @" + step);
        }

        @Override
        public void image(String tag, Tensor image, long step) {
            record("image " + tag + " @" + step);
        }

        @Override
        public void video(String tag, Tensor frames, double fps, long step) {
            record("video " + tag + " " + fps + "fps @" + step);
        }

        @Override
        public void flush() {
            record("flush");
        }

        @Override
        public void close() {
            record("close");
        }
    }

    @Test
    void everyWriterGetsEveryCall() {
        Recording a = new Recording(null);
        Recording b = new Recording(null);
        try (CompositeMetricsWriter all = CompositeMetricsWriter.of(a, b)) {
            all.scalar("loss", 0.5, 10);
            all.image("obs", TestImages.gradient(2, 2, 3), 11);
            all.video("eval", TestImages.movingSquare(2, 8, 8), 15, 12);
            all.flush();
        }
        assertThat(a.calls).containsExactly("scalar loss 0.5 @10", "image obs @11", "video eval 15.0fps @12", "flush", "close");
        assertThat(b.calls).isEqualTo(a.calls);
    }

    @Test
    void aFailingWriterDoesNotStarveTheOthers() {
        Recording bad = new Recording("disk full");
        Recording worse = new Recording("gone");
        Recording good = new Recording(null);
        CompositeMetricsWriter all = CompositeMetricsWriter.of(bad, good, worse);

        assertThatThrownBy(() -> all.scalar("loss", 1, 1)).hasMessage("disk full")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("gone"));
        assertThatThrownBy(all::close).hasMessage("disk full");
        assertThat(good.calls).containsExactly("scalar loss 1.0 @1", "close");
        assertThat(worse.calls).containsExactly("scalar loss 1.0 @1", "close");
    }
}
