package io.worldgate.gateway.run;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.bridge.StepInfos;
import io.worldgate.testkit.ForwardingVectorEnv;
import java.util.Map;

/**
 * The env family {@code flagging}: {@code flagging:X} is the real {@code java:X} that reports a
 * {@code success} number beside its observations, as Meta-World does: 1 on every step of the
 * even-numbered envs, 0 on the others. An evaluation that plays one episode on each of two envs
 * has a success rate of exactly 0.5.
 */
public final class FlaggingEnvs implements EnvFactory {
    private final EnvRegistry builtins = EnvRegistry.withBuiltins();

    @Override
    public String family() {
        return "flagging";
    }

    @Override
    public Map<String, String> examples() {
        return Map.of("flagging:PointMass", "java:PointMass whose even-numbered envs report success 1, the others 0");
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        return new Flagging(builtins.create("java:" + id.substring(id.indexOf(':') + 1), numEnvs, options));
    }

    private static final class Flagging extends ForwardingVectorEnv implements StepInfos {
        private final float[] success;

        Flagging(VectorEnv inner) {
            super(inner);
            success = new float[inner.spec().numEnvs()];
            for (int i = 0; i < success.length; i += 2) {
                success[i] = 1;
            }
        }

        @Override
        public Map<String, float[]> lastInfos() {
            return Map.of("success", success.clone());
        }
    }
}
