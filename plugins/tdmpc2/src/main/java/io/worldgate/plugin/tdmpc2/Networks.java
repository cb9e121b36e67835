package io.worldgate.plugin.tdmpc2;

import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import io.worldgate.runtime.nn.EnsembleMlp;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.LayerNorm;
import io.worldgate.runtime.nn.Mish;
import io.worldgate.runtime.nn.SimNorm;

/**
 * TD-MPC2's building block: an MLP whose hidden layers are {@code Linear -> LayerNorm -> Mish}
 * (dropout after the first layer's linear map where asked, as in the Q heads), and whose output is
 * either a plain {@code Linear} (reward, Q and policy heads) or {@code Linear -> LayerNorm ->
 * SimNorm} (the state encoder and the dynamics, whose outputs are latents). Under
 * {@code precision=bf16} a hidden layer's result, LayerNorm and Mish stay in bfloat16 (as under
 * {@code torch.autocast}); the output layer widens back to float32, so SimNorm, the two-hot
 * softmax and the losses read float32.
 */
final class Networks {
    /** PyTorch's LayerNorm epsilon, which TD-MPC2 keeps. */
    static final float LAYER_NORM_EPS = 1e-5f;

    private Networks() {}

    /**
     * @param hidden width of each hidden layer
     * @param layers number of hidden layers
     * @param outputs size of the output layer
     * @param dropout dropout rate after the first hidden layer's linear map (0: none)
     * @param simNormGroup SimNorm group size of a latent output, or 0 for a plain linear output
     */
    static SequentialBlock mlp(int hidden, int layers, int outputs, float dropout, int simNormGroup) {
        SequentialBlock b = new SequentialBlock();
        for (int i = 0; i < layers; i++) {
            // under bfloat16 products the hidden activations stay bfloat16 up to the next product
            b.add(Heads.hiddenLinear(hidden, true));
            if (i == 0 && dropout > 0) {
                b.add(Dropout.builder().optRate(dropout).build());
            }
            b.add(LayerNorm.overFeatures(LAYER_NORM_EPS));
            b.add(new Mish());
        }
        b.add(Heads.linear(outputs, true));
        if (simNormGroup > 0) {
            b.add(LayerNorm.overFeatures(LAYER_NORM_EPS));
            b.add(new SimNorm(simNormGroup));
        }
        return b;
    }

    /** {@code members} MLPs like {@link #mlp} with plain linear outputs, computed as one ensemble. */
    static EnsembleMlp ensemble(int members, int hidden, int layers, int outputs, float dropout) {
        return new EnsembleMlp(members, hidden, layers, outputs, dropout, LAYER_NORM_EPS);
    }
}
