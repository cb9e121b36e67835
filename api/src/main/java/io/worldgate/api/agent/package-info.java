/**
 * The agent SPI: what a plugin implements ({@link io.worldgate.api.agent.AgentFactory},
 * {@link io.worldgate.api.agent.Agent}) and what the host lends it
 * ({@link io.worldgate.api.agent.AgentContext}).
 *
 * <h2>Life of an agent</h2>
 * The host resolves an {@link io.worldgate.api.agent.AgentConfig} from the factory's descriptor
 * (defaults, preset, {@code --set} overrides), creates the agent for an
 * {@link io.worldgate.api.env.EnvSpec}, then loops: {@code act} on the latest observations,
 * step the environments, append the step to the experience, and call {@code train(budget)} as the
 * run's train ratio asks (the user's {@code --train-ratio}, else the descriptor's
 * {@link io.worldgate.api.agent.AgentDescriptor#defaultTrainRatio}); an agent of the
 * {@link io.worldgate.api.agent.TrainingCadence#GENERATIONS} cadence is not asked to act while
 * training and gets {@code train(1)}, one generation, instead. On a swap or at a checkpoint interval it calls {@code save}; a new
 * agent (possibly of a newer plugin version) gets {@code load} with that directory.
 *
 * <h2>How the planned agents map onto this SPI</h2>
 * <ul>
 *   <li><b>Dreamer</b> (V3, V2, HarmonyDream): {@code act} encodes the observations, advances the
 *       RSSM state kept per environment (reset where {@code isFirst}) and samples the actor.
 *       {@code train(n)} samples {@code n} batches of sequences from
 *       {@link io.worldgate.api.experience.Experience#sampleSequences}, updates the world model,
 *       then the actor and critic in imagination. With {@code encoder=mae} it takes an image
 *       encoder service from another plugin through {@link io.worldgate.api.agent.AgentContext#service}.</li>
 *   <li><b>TD-MPC2</b>: {@code act} plans with MPPI in its latent model (warm-started per
 *       environment from the previous plan); {@code train(n)} samples short sequences for the
 *       consistency, reward and value losses.</li>
 *   <li><b>World Models</b>: {@code train} fits the VAE and MDN-RNN on
 *       {@link io.worldgate.api.experience.Experience#recentEpisodes whole episodes}, then runs one
 *       CMA-ES generation: each candidate controller is scored by the returns of episodes played
 *       through the {@link io.worldgate.api.env.PopulationEvaluator} on the run's environments
 *       (or inside its own learned model); its descriptor declares the
 *       {@link io.worldgate.api.agent.TrainingCadence#GENERATIONS} cadence, so {@code train(1)}
 *       is one generation.
 *       {@code act} applies the best controller to {@code [z, h]}.</li>
 *   <li><b>MAE encoder</b>: not an agent: it pre-trains as a learner
 *       ({@link io.worldgate.api.learner}, which never acts) on a run's frames, and registers an
 *       image-encoder service (declared in the runtime module, where DJL types are allowed) that
 *       agents bind to.</li>
 *   <li><b>Random</b>: the reference plugin; uniform actions, nothing to train.</li>
 * </ul>
 */
@Export
@Version("1.6.0")
package io.worldgate.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
