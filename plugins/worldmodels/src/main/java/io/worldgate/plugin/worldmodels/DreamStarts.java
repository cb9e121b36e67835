package io.worldgate.plugin.worldmodels;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Where dreams begin: V's posterior (mean and log-variance of z) for the first frame of each stored
 * episode. A dream draws one of them and then a z from it, so it starts from states the real
 * environment starts from.
 */
final class DreamStarts {
    private final int zSize;
    private final float[] mu;
    private final float[] logVar;

    DreamStarts(int zSize, float[] mu, float[] logVar) {
        if (mu.length != logVar.length || mu.length % zSize != 0 || mu.length == 0) {
            throw new IllegalArgumentException("need one or more starts of " + zSize + " values, got " + mu.length
                    + " means and " + logVar.length + " log-variances");
        }
        this.zSize = zSize;
        this.mu = mu.clone();
        this.logVar = logVar.clone();
    }

    /** The posteriors of each encoded episode's first frame; {@code encoded} holds one or more episodes. */
    static DreamStarts firstSteps(EncodedEpisodes encoded) {
        int z = encoded.zSize();
        int n = encoded.size();
        float[] mu = new float[n * z];
        float[] logVar = new float[n * z];
        for (int i = 0; i < n; i++) {
            System.arraycopy(encoded.episodes().get(i).mu(), 0, mu, i * z, z);
            System.arraycopy(encoded.episodes().get(i).logVar(), 0, logVar, i * z, z);
        }
        return new DreamStarts(z, mu, logVar);
    }

    int count() {
        return mu.length / zSize;
    }

    /** Writes a z drawn with {@code rng} (one start, then its posterior) into {@code out} from {@code offset}. */
    void draw(SplittableRandom rng, float[] out, int offset) {
        int i = rng.nextInt(count());
        for (int d = 0; d < zSize; d++) {
            int k = i * zSize + d;
            out[offset + d] = (float) (mu[k] + Math.exp(0.5 * logVar[k]) * Dream.gaussian(rng));
        }
    }

    void save(DataOutput out) throws IOException {
        out.writeInt(zSize);
        out.writeInt(mu.length);
        for (int i = 0; i < mu.length; i++) {
            out.writeFloat(mu[i]);
            out.writeFloat(logVar[i]);
        }
    }

    static DreamStarts load(DataInput in, int expectedZ) throws IOException, IncompatibleCheckpointException {
        int z = in.readInt();
        int n = in.readInt();
        if (z != expectedZ || n <= 0 || n % z != 0) {
            throw new IncompatibleCheckpointException("dream starts of z size " + z + " (" + n + " values), this agent has z size "
                    + expectedZ);
        }
        float[] mu = new float[n];
        float[] logVar = new float[n];
        for (int i = 0; i < n; i++) {
            mu[i] = in.readFloat();
            logVar[i] = in.readFloat();
        }
        return new DreamStarts(z, mu, logVar);
    }
}
