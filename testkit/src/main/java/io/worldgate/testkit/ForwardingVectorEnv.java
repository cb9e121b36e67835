package io.worldgate.testkit;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;

/**
 * A {@link VectorEnv} that passes every call to another one: subclass it and override the call a
 * test needs to change (a step that fails, a close that throws), the rest stays the real env's.
 */
public class ForwardingVectorEnv implements VectorEnv {
    /** The env every call goes to. */
    protected final VectorEnv inner;

    public ForwardingVectorEnv(VectorEnv inner) {
        this.inner = inner;
    }

    @Override
    public EnvSpec spec() {
        return inner.spec();
    }

    @Override
    public StepBatch reset(long seed) {
        return inner.reset(seed);
    }

    @Override
    public StepBatch step(Tensor actions) {
        return inner.step(actions);
    }

    @Override
    public void close() {
        inner.close();
    }
}
