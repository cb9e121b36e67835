/**
 * DJL building blocks shared by every agent plugin. Exported to bundles through the system
 * bundle; plugins never embed these classes.
 *
 * <h2>Sub-packages</h2>
 * <ul>
 *   <li>{@code agent}: what every agent carries around its networks: per-mode, per-environment
 *       state between {@code act} calls, reset where an episode starts ({@code PerEnvState}), and
 *       checkpoint files written whole or not at all, with a checked format and version
 *       ({@code CheckpointFiles});</li>
 *   <li>{@code space}: the observations an agent models and the conversion of actions between the
 *       host's tensors and the model's (one-hot, [-1, 1]) ({@code Spaces});</li>
 *   <li>{@code nn}: layers (MLP, CNN encoder and decoder, transposed convolution, LayerNorm GRU
 *       cell, zero-initialised heads, SimNorm), {@code BlockGroup} (networks optimised and
 *       checkpointed together), Glorot-normal initialisation;</li>
 *   <li>{@code dist}: distributions over NDArrays (one-hot categorical with unimix and
 *       straight-through samples, Normal, tanh-Normal, Bernoulli, symlog-MSE, symexp two-hot);</li>
 *   <li>{@code math}: symlog, two-hot bins, lambda-returns, percentile return normalisation, KL
 *       losses with free bits, HarmonyDream's harmonious loss;</li>
 *   <li>{@code optim}: Adam/AdamW with global-norm clipping, EMA target networks, the gradient
 *       scope;</li>
 *   <li>{@code io}: parameter checkpoints of a block with a shape-checked header;</li>
 *   <li>{@code evolve}: CMA-ES in ask/tell form, with checkpoints (pure Java, no tensors);</li>
 *   <li>{@code tensor}: conversion between the api's {@code Tensor} and NDArrays.</li>
 * </ul>
 *
 * <h2>NDArray lifetimes: the update pattern</h2>
 *
 * <p>Every NDArray holds native memory that is freed when it is closed, or when the
 * {@link ai.djl.ndarray.NDManager} it is attached to is closed. Garbage collection is not a
 * memory-management strategy for libtorch tensors. Agents use three kinds of managers:
 * <ol>
 *   <li><b>the model manager</b>, owned by the agent, holding parameters (and, in a sub-manager,
 *       optimizer moments); closed when the agent closes;</li>
 *   <li><b>state managers</b> for values that outlive one call (a recurrent state carried between
 *       {@code act} calls, a replay-side cache), children of the model manager;</li>
 *   <li><b>one child manager per update</b> ({@link io.worldgate.runtime.UpdateScope}), closed at
 *       the end of the update: inputs, activations, losses and every intermediate go there.</li>
 * </ol>
 *
 * <pre>{@code
 * try (UpdateScope update = UpdateScope.open(modelManager)) {
 *     NDManager m = update.manager();
 *     NDArray obs = Tensors.toNDArray(m, batch.observations().get("state"));   // copy into m
 *     update.borrow(state);                   // lend a long-lived array to this update only
 *     try (GradientScope tape = GradientScope.open()) {
 *         NDArray loss = lossOf(model.forward(store, new NDList(obs, state), true));
 *         tape.backward(loss);
 *     }
 *     optimizer.step();                       // clip, update, zero gradients; frees its temporaries
 *     NDArray next = update.keep(newState, stateManager);   // survives the update
 * }   // everything else created in the update is freed here; 'state' returns to its manager
 * }</pre>
 *
 * <p>A manager holds every array until it closes, where libtorch alone would free an intermediate
 * as soon as neither the code nor the autograd graph needs it. An update with several phases (a
 * world-model step, then imagination, then a critic step) therefore opens a child scope per phase,
 * {@code UpdateScope.open(update.manager())}, borrows the inputs into it and keeps only what the
 * next phase reads; otherwise the update's peak memory is the sum of its phases' (Dreamer's
 * {@code dmc_vision} update: about 8 GiB against 6-7 GiB with phase scopes). Within a phase the
 * same holds per array: a handle kept open keeps its activation resident through the backward
 * pass, where libtorch would free it as soon as the gradient has passed it. So the blocks in
 * {@code nn} and the distributions in {@code dist} close their own intermediates as soon as the
 * next operation has read them, leaving only their inputs and output in the caller's manager, and
 * agent code does the same with large arrays of its own (a loss's temporaries, the steps of an
 * imagined rollout once stacked). Closing an intermediate handle early is safe: the autograd graph
 * holds its own reference to what the backward pass needs, so gradients are unchanged. Never close
 * early an array made from Java memory ({@code manager.create(float[])} and DJL's number
 * overloads): its buffer goes with the handle.
 *
 * <p>Rules that make this hold with DJL's engine:
 * <ul>
 *   <li>An operation attaches its result to the manager of its <em>first operand</em>
 *       ({@code a.mul(b)} lands in {@code a}'s manager). Write {@code input.mul(param)}, never
 *       {@code param.mul(input)}, or an update leaks into the model manager. The blocks in
 *       {@code nn} follow this rule.</li>
 *   <li>{@code parameter.getGradient()} and {@code parameter.stopGradient()} create a new handle
 *       attached to the <em>parameter's</em> manager; close it after use. The classes in
 *       {@code optim} do, inside an {@link ai.djl.ndarray.NDScope}.</li>
 *   <li>{@code attach(m)} moves an array to {@code m} for good ({@link
 *       io.worldgate.runtime.UpdateScope#keep}); {@code tempAttach(m)} lends it to {@code m} and
 *       gives it back to its original manager when {@code m} closes.</li>
 *   <li>DJL's PyTorch engine allows one gradient collector per JVM at a time; use
 *       {@link io.worldgate.runtime.optim.GradientScope}, which serialises agents that train on
 *       different threads.</li>
 * </ul>
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
