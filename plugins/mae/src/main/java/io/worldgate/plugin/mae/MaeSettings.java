package io.worldgate.plugin.mae;

import io.worldgate.api.agent.AgentConfig;

/**
 * How the learner trains (the sizes are {@link MaeSizes}).
 *
 * @param key the observation it learns from
 * @param batch frames per update
 * @param maskRatio share of patches masked per frame (the paper's 0.75)
 * @param normPixLoss whether the target is each patch normalised by its own mean and std
 * @param lr AdamW's learning rate after the warm-up
 * @param weightDecay AdamW's decoupled weight decay (the paper's 0.05)
 * @param warmup updates of linear learning-rate warm-up from 0
 * @param imageEvery updates between reconstruction images (0: none)
 * @param imageCount frames shown per reconstruction image
 * @param evalOnly measure the reconstruction loss without training (held-out frames; without
 *     weights, a checkpoint of the seeded random initialisation)
 */
record MaeSettings(String key, int batch, double maskRatio, boolean normPixLoss, float lr, float weightDecay, int warmup,
        int imageEvery, int imageCount, boolean evalOnly) {

    static MaeSettings of(AgentConfig config, String key) {
        return new MaeSettings(key, config.getInt("batch"), config.getDouble("mask_ratio"),
                config.getBoolean("norm_pix_loss"), (float) config.getDouble("lr"), (float) config.getDouble("weight_decay"),
                config.getInt("warmup"), config.getInt("image_every"), config.getInt("image_count"),
                config.getBoolean("eval_only"));
    }

    /** The learning rate of the update after {@code done} updates: linear warm-up, then constant. */
    float learningRateAt(long done) {
        return warmup <= 0 || done >= warmup ? lr : lr * (done + 1) / warmup;
    }
}
