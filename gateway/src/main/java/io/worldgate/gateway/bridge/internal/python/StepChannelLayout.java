package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.proto.env.v1.EnvSpec;

/**
 * Byte offsets of the step channel of transport {@code shm}: one step's actions and results at
 * places fixed by the spec alone (K, the action space, the info keys), so that both sides compute
 * them and a step needs no message. Layout version 2, documented in {@code env_bridge.proto} and
 * mirrored by {@code worldgate_envs/step_channel.py}: a 64-byte header, then actions, rewards
 * (float64), episode steps (int64), the observations' shm slot and generation, infos (float32
 * {@code [I, K]}), terminated, truncated and is_first (a byte each per env), each starting at a
 * multiple of 8. The header holds two step counters ({@link #REQUEST_SEQ}, {@link #ANSWER_SEQ}) that a
 * side expecting an answer soon can watch instead of sleeping until the doorbell wakes it
 * ({@link AdaptiveSpin}).
 */
record StepChannelLayout(int numEnvs, int actionBytes, int numInfos, int actions, int rewards, int episodeSteps,
        int obsRef, int infos, int terminated, int truncated, int isFirst, int fileSize) {
    static final String MAGIC = "WGSTEPCH";
    static final int VERSION = 2;
    static final int HEADER_BYTES = 64;
    /** Header offset of {@code request_seq}, the gateway's count of steps, stored after a step's actions. */
    static final int REQUEST_SEQ = 40;
    /** Header offset of {@code answer_seq}, the request_seq of the last step answered, stored after its results. */
    static final int ANSWER_SEQ = 48;

    static StepChannelLayout of(EnvSpec spec, int k) {
        int actionBytes = 4;
        if (spec.getActionSpace().hasBox()) {
            for (long d : spec.getActionSpace().getBox().getShapeList()) {
                actionBytes = Math.multiplyExact(actionBytes, Math.toIntExact(d));
            }
        }
        int infos = spec.getInfoKeysCount();
        int actions = HEADER_BYTES;
        int rewards = align(actions + Math.multiplyExact(k, actionBytes));
        int episodeSteps = align(rewards + 8 * k);
        int obsRef = align(episodeSteps + 8 * k);
        int infoAt = align(obsRef + 16);
        int terminated = align(infoAt + 4 * infos * k);
        int truncated = align(terminated + k);
        int isFirst = align(truncated + k);
        return new StepChannelLayout(k, actionBytes, infos, actions, rewards, episodeSteps, obsRef, infoAt, terminated,
                truncated, isFirst, align(isFirst + k));
    }

    private static int align(int n) {
        return Math.addExact(n, 7) & ~7;
    }
}
