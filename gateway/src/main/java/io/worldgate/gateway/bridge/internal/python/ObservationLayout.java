package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.NamedTensor;
import io.worldgate.proto.env.v1.ObservationSpec;
import io.worldgate.proto.env.v1.StepResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each env's observations lie in a batch of {@code n} envs, and how a worker's result for its
 * slice of envs is copied there, from the shared-memory file or from the message. Every result is
 * checked against the spec first: a worker that sends something else breaks the protocol.
 */
final class ObservationLayout {
    /** One observation: name, dtype, shape of one env, bytes per env. */
    record Field(String name, DType dtype, int[] shape, int bytesPerEnv) {}

    private final Field[] fields;
    private final int n;

    private ObservationLayout(Field[] fields, int n) {
        this.fields = fields;
        this.n = n;
    }

    static ObservationLayout of(EnvSpec spec, int n) {
        List<Field> f = new ArrayList<>();
        for (ObservationSpec os : spec.getObservationsList()) {
            DType d = ProtoSpecs.dtype(os.getDtype());
            int[] shape = ProtoSpecs.shape(os.getShapeList());
            f.add(new Field(os.getName(), d, shape, Math.toIntExact(Tensor.numElements(shape) * d.byteSize())));
        }
        return new ObservationLayout(f.toArray(new Field[0]), n);
    }

    Field[] fields() {
        return fields;
    }

    /** The number of envs of the whole batch. */
    int numEnvs() {
        return n;
    }

    /** Empty buffers for the observations of {@code k} envs, one per observation. */
    ByteBuffer[] allocateRows(int k) {
        ByteBuffer[] rows = new ByteBuffer[fields.length];
        for (int o = 0; o < fields.length; o++) {
            rows[o] = ByteBuffer.allocate(k * fields[o].bytesPerEnv());
        }
        return rows;
    }

    /** Copies row {@code row} of {@code from} to env {@code env} of {@code to}. */
    void copyRow(ByteBuffer[] from, int row, ByteBuffer[] to, int env) {
        for (int o = 0; o < fields.length; o++) {
            int b = fields[o].bytesPerEnv();
            to[o].put(env * b, from[o], row * b, b);
        }
    }

    /** Copies env {@code env}'s observations of {@code batch} to the same env of {@code to}. */
    void copyRow(StepBatch batch, int env, ByteBuffer[] to) {
        for (int o = 0; o < fields.length; o++) {
            int b = fields[o].bytesPerEnv();
            ByteBuffer src = batch.observations().get(fields[o].name()).buffer();
            to[o].put(env * b, src, env * b, b);
        }
    }

    /**
     * Copies a worker's result for its {@code k} envs into {@code dst} (one buffer per observation)
     * starting at env {@code at}, and its rewards, flags and infos into {@code flags} when not null.
     *
     * @throws WorkerFailure of kind PROTOCOL when the result does not fit the spec
     */
    void readInto(PythonWorker w, StepResult r, int k, ByteBuffer[] dst, int at, BatchBuilder flags) {
        if (r.getRewardsCount() != k || r.getTerminatedCount() != k || r.getTruncatedCount() != k || r.getIsFirstCount() != k) {
            throw WorkerProtocol.violation(w, "a result for " + r.getRewardsCount() + " envs, expected " + k);
        }
        if (r.hasShm()) {
            ShmReader shm = w.shm();
            if (shm == null) {
                throw WorkerProtocol.violation(w, "a shared-memory reference, but it has no shm file");
            }
            int slot = r.getShm().getSlot();
            shm.check(slot, r.getShm().getGeneration());
            for (int o = 0; o < fields.length; o++) {
                int b = fields[o].bytesPerEnv();
                shm.copy(slot, o, 0, dst[o], at * b, k * b);
            }
        } else {
            if (r.getObservationsCount() != fields.length) {
                throw WorkerProtocol.violation(w, r.getObservationsCount() + " observations, the spec has " + fields.length);
            }
            for (int o = 0; o < fields.length; o++) {
                NamedTensor t = r.getObservations(o);
                int b = fields[o].bytesPerEnv();
                if (!t.getName().equals(fields[o].name()) || t.getTensor().getData().size() != k * b
                        || ProtoSpecs.dtype(t.getTensor().getDtype()) != fields[o].dtype()) {
                    throw WorkerProtocol.violation(w, "observation '" + t.getName() + "' of " + t.getTensor().getData().size()
                            + " bytes (" + t.getTensor().getDtype() + "), expected '" + fields[o].name() + "' of " + k * b
                            + " bytes");
                }
                ByteBuffer target = dst[o].duplicate();
                target.position(at * b);
                t.getTensor().getData().copyTo(target);
            }
        }
        if (flags != null) {
            for (int j = 0; j < k; j++) {
                int i = at + j;
                flags.rewards[i] = (float) r.getRewards(j);
                flags.terminated[i] = r.getTerminated(j);
                flags.truncated[i] = r.getTruncated(j);
                flags.isFirst[i] = r.getIsFirst(j);
            }
            for (NamedTensor info : r.getInfosList()) {
                ByteBuffer data = info.getTensor().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (ProtoSpecs.dtype(info.getTensor().getDtype()) != DType.FLOAT32 || data.remaining() != 4 * k) {
                    throw WorkerProtocol.violation(w, "info '" + info.getName() + "' of " + data.remaining() + " bytes ("
                            + info.getTensor().getDtype() + "), expected " + k + " float32 values");
                }
                float[] values = flags.infos.computeIfAbsent(info.getName(), name -> new float[n]);
                for (int j = 0; j < k; j++) {
                    values[at + j] = data.getFloat(4 * j);
                }
            }
        }
    }
}
