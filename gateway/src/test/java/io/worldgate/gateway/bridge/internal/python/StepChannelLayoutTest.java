package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.worldgate.proto.env.v1.ActionSpace;
import io.worldgate.proto.env.v1.BoxSpace;
import io.worldgate.proto.env.v1.DiscreteSpace;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.StepResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step channel's layout (the same offsets as worldgate_envs/step_channel.py) and its reading. */
class StepChannelLayoutTest {

    private static EnvSpec box(long... shape) {
        BoxSpace.Builder b = BoxSpace.newBuilder();
        for (long d : shape) {
            b.addShape(d);
        }
        return EnvSpec.newBuilder().setActionSpace(ActionSpace.newBuilder().setBox(b)).build();
    }

    @Test
    void offsetsFollowTheSpecAndStartAtMultiplesOfEight() {
        // const:4 with 3 envs: Box [1], no infos; test_doorbell.py checks the same numbers on the Python side
        StepChannelLayout l = StepChannelLayout.of(box(1), 3);
        assertThat(l.actionBytes()).isEqualTo(4);
        assertThat(List.of(l.actions(), l.rewards(), l.episodeSteps(), l.obsRef(), l.infos(), l.terminated(), l.truncated(),
                l.isFirst(), l.fileSize())).containsExactly(64, 80, 104, 128, 144, 144, 152, 160, 168);
    }

    @Test
    void discreteActionsAreInt32AndInfosTakeFourBytesPerEnv() {
        EnvSpec spec = EnvSpec.newBuilder().setActionSpace(ActionSpace.newBuilder().setDiscrete(DiscreteSpace.newBuilder().setN(6)))
                .addInfoKeys("success").addInfoKeys("x").build();
        StepChannelLayout l = StepChannelLayout.of(spec, 5);
        assertThat(l.actionBytes()).isEqualTo(4);
        assertThat(l.rewards()).isEqualTo(64 + 24);
        assertThat(l.terminated()).isEqualTo(l.infos() + 40);
        assertThat(StepChannelLayout.of(box(2, 3), 2).actionBytes()).isEqualTo(24);
    }

    /** A file as the worker writes it: header, then the given results. */
    private static Path write(Path dir, StepChannelLayout l, int headerK) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(l.fileSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(StepChannelLayout.MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(StepChannelLayout.VERSION).putInt(64).putInt(headerK)
                .putInt(l.actionBytes()).putInt(l.numInfos()).putInt(0).putLong(l.fileSize());
        for (int j = 0; j < l.numEnvs(); j++) {
            b.putDouble(l.rewards() + 8 * j, j + 0.5);
            b.putLong(l.episodeSteps() + 8 * j, 10 + j);
            b.putFloat(l.infos() + 4 * j, j == 1 ? 1f : 0f);
        }
        b.put(l.terminated() + 1, (byte) 1);
        b.put(l.isFirst(), (byte) 1);
        b.putLong(l.obsRef(), 42).putInt(l.obsRef() + 8, 3);
        Path p = dir.resolve("step");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void theResultsReadBackAsAStepResult(@TempDir Path dir) throws IOException {
        EnvSpec spec = box(1).toBuilder().addInfoKeys("success").build();
        StepChannelLayout l = StepChannelLayout.of(spec, 2);
        StepChannel ch = new StepChannel(write(dir, l, 2), l, spec.getInfoKeysList());
        StepResult r = ch.readResult();
        assertThat(r.getRewardsList()).containsExactly(0.5, 1.5);
        assertThat(r.getEpisodeStepsList()).containsExactly(10L, 11L);
        assertThat(r.getTerminatedList()).containsExactly(false, true);
        assertThat(r.getTruncatedList()).containsExactly(false, false);
        assertThat(r.getIsFirstList()).containsExactly(true, false);
        assertThat(r.getShm().getGeneration()).isEqualTo(42);
        assertThat(r.getShm().getSlot()).isEqualTo(3);
        assertThat(r.getInfos(0).getName()).isEqualTo("success");
        assertThat(r.getInfos(0).getTensor().getShapeList()).containsExactly(2L);
        assertThat(r.getInfos(0).getTensor().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(1f);

        ch.writeActions(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        byte[] file = Files.readAllBytes(dir.resolve("step"));
        assertThat(file[l.actions()]).isEqualTo((byte) 1);
        assertThat(file[l.actions() + 7]).isEqualTo((byte) 8);
    }

    @Test
    void aNewSessionCountsItsStepsOnFromTheCountersAnEarlierOneLeft(@TempDir Path dir) throws IOException {
        StepChannelLayout l = StepChannelLayout.of(box(1), 2);
        Path p = write(dir, l, 2);
        try (FileChannel f = FileChannel.open(p, StandardOpenOption.WRITE)) { // an earlier session answered one step
            f.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(1).flip(), StepChannelLayout.REQUEST_SEQ);
        }
        StepChannel ch = new StepChannel(p, l, List.of());
        long seq = ch.publishNextRequest();
        assertThat(seq).isEqualTo(2);
        assertThat(ch.answeredSeq()).isNotEqualTo(seq); // the stale answer is not this step's
        assertThat(ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN).getLong(StepChannelLayout.REQUEST_SEQ)).isEqualTo(2);
        assertThat(ch.publishNextRequest()).isEqualTo(3);
    }

    @Test
    void aHeaderThatDisagreesWithTheSpecIsRefused(@TempDir Path dir) throws IOException {
        StepChannelLayout l = StepChannelLayout.of(box(1), 2);
        Path p = write(dir, l, 3);
        assertThatThrownBy(() -> new StepChannel(p, l, List.of())).isInstanceOf(IOException.class).hasMessageContaining("K=3");
    }
}
