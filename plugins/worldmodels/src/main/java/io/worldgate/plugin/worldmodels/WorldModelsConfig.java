package io.worldgate.plugin.worldmodels;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of the World Models agent, read once from the resolved {@link AgentConfig}. The
 * keys' defaults are the paper's CarRacing values (Ha and Schmidhuber, NeurIPS 2018, and its
 * appendix); the presets in {@code presets/*.properties} set the Doom values and the CPU-scaled ones.
 *
 * @param zSize size of V's latent z
 * @param rnnSize LSTM units of M
 * @param mixtures Gaussian mixtures per z dimension in M's output
 * @param predictDone whether M also predicts the episode's end (the paper's Doom model)
 * @param controllerHidden units of C's hidden layer; 0 for the paper's linear controller
 * @param controllerReadsCell C reads {@code [z, c, h]} (M's LSTM cell state too; the paper code's Doom C), not {@code [z, h]}
 * @param klTolerance free nats per z dimension: the KL term is at least {@code kl_tolerance * z_size}
 * @param vaeLr V's Adam learning rate
 * @param vaeBatch frames per V update
 * @param vaeEpochs passes over the stored frames each time V is trained (updates: epochs x frames / batch)
 * @param rnnLr M's Adam learning rate
 * @param rnnBatch sequences per M update
 * @param rnnSeqLen steps per training sequence of M
 * @param rnnEpochs passes over the stored episodes each time M is trained (reset: epochs x episodes / batch
 *     updates; carry: each pass has every stored transition in one window)
 * @param carryRnnState M trains on streams of whole episodes, its LSTM state carried from window to window
 *     and zeroed where an episode begins ({@code rnn_state=carry}), not on windows from a zero state
 * @param gradClip global gradient-norm clip of M
 * @param randomEpisodes episodes of the random policy collected before V is first trained
 * @param randomHold mean number of steps the random policy holds an action (geometric; 1: a new one each step)
 * @param population CMA-ES population (candidates per generation)
 * @param rollouts episodes per candidate, whose mean return is its fitness
 * @param sigma0 CMA-ES initial step size
 * @param trainIn where C is evolved: {@code real} (the environment) or {@code dream} (inside M)
 * @param temperature tau of M's sampling in the dream
 * @param dreamMaxSteps length limit of a dream episode
 * @param realEpisodes in the dream: episodes of the CMA-ES mean scored in the real environment after each generation
 * @param sampleZ real episodes give C a z drawn from V's posterior (true) or its mean (false)
 * @param iterations rounds of collect, train V and M, evolve C (1: the paper's procedure; more: its iterative one)
 * @param generationsPerIteration CMA-ES generations before the next round collects with the evolved C
 * @param actionMap how C's outputs become actions: {@code linear} onto a box's bounds, {@code carracing}, or
 *     {@code doom} (one tanh output thresholded into 3 discrete actions); discrete actions otherwise by argmax
 * @param dreamEnd how a dream episode ends: drawn from M's end probability, or where M's end logit is positive
 * @param doneWeight weight of the steps where an episode ends in M's end loss (the paper's code: 10)
 */
record WorldModelsConfig(int zSize, int rnnSize, int mixtures, boolean predictDone, int controllerHidden,
        boolean controllerReadsCell, float klTolerance, float vaeLr, int vaeBatch, double vaeEpochs, float rnnLr, int rnnBatch, int rnnSeqLen,
        double rnnEpochs, boolean carryRnnState, float gradClip, int randomEpisodes, double randomHold, int population, int rollouts, double sigma0,
        String trainIn, float temperature, int dreamMaxSteps, int realEpisodes, boolean sampleZ, int iterations,
        int generationsPerIteration, String actionMap, Dream.End dreamEnd, float doneWeight) {

    static final String REAL = "real";
    static final String DREAM = "dream";
    static final String LINEAR = "linear";
    static final String CARRACING = "carracing";
    static final String DOOM = "doom";
    static final String ZH = "zh";
    static final String ZCH = "zch";
    static final String SAMPLE = "sample";
    static final String THRESHOLD = "threshold";
    static final String RESET = "reset";
    static final String CARRY = "carry";

    /** The config keys, the paper's CarRacing values as defaults. */
    static List<ConfigKey> keys() {
        List<ConfigKey> k = new ArrayList<>();
        k.add(ConfigKey.integer("z_size", 32, 1, 1024, "size of V's latent z (paper: 32 CarRacing, 64 Doom)"));
        k.add(ConfigKey.integer("rnn_size", 256, 1, 4096, "LSTM units of M (paper: 256 CarRacing, 512 Doom)"));
        k.add(ConfigKey.integer("mixtures", 5, 1, 64, "Gaussian mixtures per z dimension in M"));
        k.add(ConfigKey.bool("predict_done", false, "M also predicts the episode's end (paper: Doom)"));
        k.add(ConfigKey.integer("controller_hidden", 0, 0, 4096, "units of C's hidden layer; 0: linear C on [z, h]"));
        k.add(ConfigKey.choice("controller_input", ZH, List.of(ZH, ZCH),
                "what C reads: zh ([z, h], the paper's CarRacing) or zch ([z, c, h], M's LSTM cell state too: the"
                        + " paper code's Doom)"));
        k.add(ConfigKey.decimal("kl_tolerance", 0.5, 0, 100, "free nats per z dimension in V's KL term"));
        k.add(ConfigKey.decimal("vae_lr", 1e-4, 0, 1, "V's learning rate"));
        k.add(ConfigKey.integer("vae_batch", 100, 1, 8192, "frames per V update"));
        k.add(ConfigKey.decimal("vae_epochs", 10, 0, 1e6, "passes over the stored frames each time V trains"));
        k.add(ConfigKey.decimal("rnn_lr", 1e-3, 0, 1, "M's learning rate"));
        k.add(ConfigKey.integer("rnn_batch", 100, 1, 8192, "sequences per M update"));
        k.add(ConfigKey.integer("rnn_seq_len", 1000, 2, 100_000, "steps per training sequence of M"));
        k.add(ConfigKey.decimal("rnn_epochs", 20, 0, 1e6, "passes over the stored episodes each time M trains (reset:"
                + " epochs x episodes / rnn_batch windows; carry: each pass has every stored transition in one window)"));
        k.add(ConfigKey.choice("rnn_state", RESET, List.of(RESET, CARRY),
                "M's LSTM state in training: reset (each window, a random stretch of a random episode, from a zero"
                        + " state) or carry (each of the rnn_batch rows a stream of whole episodes in random order, window"
                        + " after window, the state at one window's end the next one's start, detached, and zeroed where an"
                        + " episode begins: the paper code's Doom training)"));
        k.add(ConfigKey.decimal("grad_clip", 1.0, 0.0001, 1e9, "global gradient-norm clip of M"));
        k.add(ConfigKey.integer("random_episodes", 10_000, 1, 10_000_000, "random-policy episodes collected first"));
        k.add(ConfigKey.decimal("random_hold", 1, 1, 1e6,
                "mean steps the random policy holds an action (geometric; 1: a new action every step)"));
        k.add(ConfigKey.integer("population", 64, 2, 100_000, "CMA-ES population"));
        k.add(ConfigKey.integer("rollouts", 16, 1, 100_000, "episodes per candidate (its fitness is their mean return)"));
        k.add(ConfigKey.decimal("sigma0", 0.1, 1e-9, 1e3, "CMA-ES initial step size"));
        k.add(ConfigKey.choice("train_in", REAL, List.of(REAL, DREAM),
                "where C evolves: real (the environment) or dream (inside M; needs predict_done)"));
        k.add(ConfigKey.decimal("temperature", 1.0, 0.01, 10, "tau of M's sampling in the dream"));
        k.add(ConfigKey.integer("dream_max_steps", 2100, 1, 1_000_000, "length limit of a dream episode"));
        k.add(ConfigKey.integer("real_episodes", 1, 1, 100_000,
                "dream training: real episodes of the CMA-ES mean after each generation"));
        k.add(ConfigKey.bool("sample_z", true, "real episodes give C a z drawn from V's posterior, as in the dream and"
                + " the paper's code (false: the posterior mean, which barely varies between frames of a briefly trained V)"));
        k.add(ConfigKey.integer("iterations", 1, 1, 1000,
                "rounds of collect, V, M, C (1: the paper's procedure; more: the iterative one)"));
        k.add(ConfigKey.integer("generations_per_iteration", 100, 1, 10_000_000,
                "CMA-ES generations before the next round collects with the evolved C"));
        k.add(ConfigKey.choice("action_map", LINEAR, List.of(LINEAR, CARRACING, DOOM),
                "how C's outputs become actions: for a box, linear (each tanh onto its bounds) or carracing (the"
                        + " paper's CarRacing controls: steer a0, gas (a1 + 1) / 2, brake max(a2, 0)); discrete actions"
                        + " are the largest output's, except with doom (the paper code's Doom C, 3 actions: one tanh output"
                        + " without bias, below -1/3 action 1 (left), above 1/3 action 2 (right), else 0 (stay))"));
        k.add(ConfigKey.choice("dream_end", SAMPLE, List.of(SAMPLE, THRESHOLD),
                "how a dream episode ends: sample (where a uniform draw falls below M's end probability) or threshold"
                        + " (where M's end logit is above 0, the paper's code; with done_weight 10)"));
        k.add(ConfigKey.decimal("done_weight", 1, 0.001, 1e6,
                "weight of the steps where an episode ends in M's end loss (the paper's code: 10)"));
        return k;
    }

    static WorldModelsConfig from(AgentConfig c) {
        return new WorldModelsConfig(c.getInt("z_size"), c.getInt("rnn_size"), c.getInt("mixtures"),
                c.getBoolean("predict_done"), c.getInt("controller_hidden"), ZCH.equals(c.getString("controller_input")),
                (float) c.getDouble("kl_tolerance"),
                (float) c.getDouble("vae_lr"), c.getInt("vae_batch"), c.getDouble("vae_epochs"),
                (float) c.getDouble("rnn_lr"), c.getInt("rnn_batch"), c.getInt("rnn_seq_len"),
                c.getDouble("rnn_epochs"), CARRY.equals(c.getString("rnn_state")), (float) c.getDouble("grad_clip"), c.getInt("random_episodes"),
                c.getDouble("random_hold"), c.getInt("population"), c.getInt("rollouts"), c.getDouble("sigma0"),
                c.getString("train_in"),
                (float) c.getDouble("temperature"), c.getInt("dream_max_steps"), c.getInt("real_episodes"),
                c.getBoolean("sample_z"), c.getInt("iterations"), c.getInt("generations_per_iteration"),
                c.getString("action_map"),
                THRESHOLD.equals(c.getString("dream_end")) ? Dream.End.THRESHOLD : Dream.End.SAMPLE,
                (float) c.getDouble("done_weight"));
    }

    boolean carControls() {
        return CARRACING.equals(actionMap);
    }

    /** C's single output thresholded into Doom's stay, left, right ({@code action_map=doom}). */
    boolean doomThresholds() {
        return DOOM.equals(actionMap);
    }

    boolean inDream() {
        return DREAM.equals(trainIn);
    }

    /** The sizes a checkpoint must match. */
    String sizes() {
        return String.format(Locale.ROOT, "z_size=%d rnn_size=%d mixtures=%d predict_done=%s controller_hidden=%d",
                zSize, rnnSize, mixtures, predictDone, controllerHidden);
    }
}
