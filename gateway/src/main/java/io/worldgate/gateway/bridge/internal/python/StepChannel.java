package io.worldgate.gateway.bridge.internal.python;

import com.google.protobuf.ByteString;
import io.worldgate.proto.env.v1.DType;
import io.worldgate.proto.env.v1.NamedTensor;
import io.worldgate.proto.env.v1.ShmRef;
import io.worldgate.proto.env.v1.StepResult;
import io.worldgate.proto.env.v1.Tensor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * The gateway's side of a worker's step channel ({@link StepChannelLayout}): it writes a step's
 * actions into the mapped file and reads the results back as the {@link StepResult} the gRPC
 * session would have sent, so that everything after the transport is the same.
 */
final class StepChannel {
    /** The counters are read and written with acquire/release order: the data around them is plain. */
    private static final VarHandle SEQ = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final StepChannelLayout layout;
    private final List<String> infoKeys;
    private final MappedByteBuffer map;

    StepChannel(Path path, StepChannelLayout layout, List<String> infoKeys) throws IOException {
        this.path = path;
        this.layout = layout;
        this.infoKeys = List.copyOf(infoKeys);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != layout.fileSize()) {
                throw new IOException(path + " holds " + ch.size() + " bytes, the spec makes a step channel of " + layout.fileSize());
            }
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, layout.fileSize());
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        map.get(0, magic);
        int version = map.getInt(8);
        int header = map.getInt(12);
        int k = map.getInt(16);
        int actionBytes = map.getInt(20);
        int infos = map.getInt(24);
        long size = map.getLong(32);
        if (!Arrays.equals(magic, StepChannelLayout.MAGIC.getBytes(StandardCharsets.US_ASCII)) || version != StepChannelLayout.VERSION
                || header != StepChannelLayout.HEADER_BYTES) {
            throw new IOException(path + " is not a version " + StepChannelLayout.VERSION + " step channel (magic "
                    + new String(magic, StandardCharsets.US_ASCII) + ", version " + version + ")");
        }
        if (k != layout.numEnvs() || actionBytes != layout.actionBytes() || infos != layout.numInfos() || size != layout.fileSize()) {
            throw new IOException(path + ": the header (K=" + k + ", action bytes " + actionBytes + ", infos " + infos + ", size "
                    + size + ") does not match the spec's layout " + layout);
        }
    }

    /** The number of action bytes a step carries. */
    int actionBytes() {
        return layout.numEnvs() * layout.actionBytes();
    }

    /** Puts a step's actions (little-endian, {@link #actionBytes()} long) where the worker reads them. */
    void writeActions(ByteString actions) {
        actions.copyTo(map.slice(layout.actions(), actionBytes()));
    }

    /**
     * Counts a step in {@code request_seq}, after its actions, so that a worker watching it reads them
     * whole; returns the new count. It goes on from the count in the file, which an earlier session
     * with the same worker may have left there with its {@code answer_seq}: a new count from 1 could
     * equal that stale answer and be taken for this step's.
     */
    long publishNextRequest() {
        long seq = (long) SEQ.get(map, StepChannelLayout.REQUEST_SEQ) + 1; // only the gateway writes it
        SEQ.setRelease(map, StepChannelLayout.REQUEST_SEQ, seq);
        return seq;
    }

    /** The {@code request_seq} of the last step the worker answered; its results are in place when this is read. */
    long answeredSeq() {
        return (long) SEQ.getAcquire(map, StepChannelLayout.ANSWER_SEQ);
    }

    /** The results the worker wrote for the last step. */
    StepResult readResult() {
        int k = layout.numEnvs();
        StepResult.Builder b = StepResult.newBuilder();
        for (int j = 0; j < k; j++) {
            b.addRewards(map.getDouble(layout.rewards() + 8 * j));
            b.addEpisodeSteps(map.getLong(layout.episodeSteps() + 8 * j));
            b.addTerminated(map.get(layout.terminated() + j) != 0);
            b.addTruncated(map.get(layout.truncated() + j) != 0);
            b.addIsFirst(map.get(layout.isFirst() + j) != 0);
        }
        b.setShm(ShmRef.newBuilder().setGeneration(map.getLong(layout.obsRef())).setSlot(map.getInt(layout.obsRef() + 8)));
        for (int i = 0; i < infoKeys.size(); i++) {
            Tensor t = Tensor.newBuilder().setDtype(DType.DTYPE_FLOAT32).addShape(k)
                    .setData(ByteString.copyFrom(map.slice(layout.infos() + 4 * k * i, 4 * k))).build();
            b.addInfos(NamedTensor.newBuilder().setName(infoKeys.get(i)).setTensor(t));
        }
        return b.build();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
