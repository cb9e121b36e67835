/**
 * The learner SPI: a plugin that trains on a run's stored experience without ever acting, such as
 * an image encoder pre-trained on frames (MAE). A plugin implements
 * {@link io.worldgate.api.learner.LearnerFactory} and {@link io.worldgate.api.learner.Learner};
 * the host lends it a {@link io.worldgate.api.learner.LearnerContext}.
 *
 * <h2>Life of a learner</h2>
 * {@code ./worldgate learn NAME --from-run RUN} resolves an
 * {@link io.worldgate.api.agent.AgentConfig} from the factory's descriptor (defaults, preset,
 * {@code --set} overrides, as for agents), opens the source run's experience read-only (a snapshot
 * of what it had stored: the source run is never changed and may go on running), creates the
 * learner and calls {@link io.worldgate.api.learner.Learner#update} as many times as asked. Every
 * so many updates, and at the end, it calls {@code save} into a sealed checkpoint of the learner's
 * own run directory; a resumed learner run creates a fresh learner and calls {@code load} with the
 * newest one. The metrics an update returns, and what the learner sends to its sink, are stamped
 * with the number of updates done and go to the run's {@code metrics.jsonl} and TensorBoard.
 *
 * <h2>How MAE maps onto it</h2>
 * {@code update} draws a batch of frames with
 * {@link io.worldgate.api.experience.Experience#sampleFrames}, masks patches, takes one optimiser
 * step and returns its loss; every so often it sends the masked input, the reconstruction and the
 * original as {@link io.worldgate.api.agent.MetricsSink#image images}. {@code save} writes the
 * weights; the plugin's {@code mae} image encoder service loads the checkpoint (or the newest of a
 * learner run) named by the gateway's {@code -Dworldgate.mae.weights}, and an agent binds it with
 * {@code encoder=mae} ({@code plugins/mae}).
 */
@Export
@Version("1.0.0")
package io.worldgate.api.learner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
