/**
 * Layers shared by the agents, built on DJL's {@code AbstractBlock} and {@code SequentialBlock}:
 * {@link io.worldgate.runtime.nn.Mlp} (Linear, LayerNorm, SiLU per hidden layer),
 * {@link io.worldgate.runtime.nn.ConvEncoder} and {@link io.worldgate.runtime.nn.ConvDecoder}
 * (DreamerV3's image encoder and its transposed mirror), {@link io.worldgate.runtime.nn.GruCell}
 * (Dreamer's LayerNorm GRU), {@link io.worldgate.runtime.nn.Heads} (zero-initialised output
 * layers), {@link io.worldgate.runtime.nn.LayerNorm} (over the feature or channel axis),
 * {@link io.worldgate.runtime.nn.Silu}, {@link io.worldgate.runtime.nn.Mish} and
 * {@link io.worldgate.runtime.nn.SimNorm} (TD-MPC2), {@link io.worldgate.runtime.nn.EnsembleMlp}
 * (several MLPs on one input as one stacked computation, such as TD-MPC2's Q heads), and
 * {@link io.worldgate.runtime.nn.ImageEncoder}, the service interface through which one plugin lends
 * another an image encoder, such as MAE for Dreamer's and TD-MPC2's {@code encoder=mae}, with
 * {@link io.worldgate.runtime.nn.BoundEncoder} (one agent's use of it in an
 * {@link io.worldgate.runtime.nn.EncoderMode}: frozen, fine-tuned through a
 * {@link io.worldgate.runtime.nn.TrainableImageEncoder} copy, or trained online) and the keys both
 * agents declare, {@link io.worldgate.runtime.nn.EncoderSettings}.
 * {@link io.worldgate.runtime.nn.BlockGroup} groups an agent's networks so that their parameters
 * are optimised and checkpointed together; {@link io.worldgate.runtime.nn.Initializers} holds
 * Glorot-normal weights and the zeroing of an output layer. Every linear and convolutional layer
 * computes through {@link io.worldgate.runtime.nn.Products}, in the thread's
 * {@link io.worldgate.runtime.nn.Autocast} {@link io.worldgate.runtime.nn.Precision} (float32, or
 * bfloat16 widened back to float32: the {@code precision} key).
 *
 * <p>Layouts: vectors are {@code [..., D]} (any leading axes); images are channels-last
 * {@code [..., H, W, C]} as in the api, converted to DJL's NCHW inside the convolutional blocks.
 * Every block computes with the input as first operand, so activations attach to the input's
 * manager (the update scope), never to the parameters' manager, and closes its intermediate
 * arrays as soon as they are read: after a forward pass only the inputs and the output are left
 * there, and the activations the autograd graph saved are freed during the backward pass, as in
 * PyTorch (see the package {@code io.worldgate.runtime}).
 */
@Export
@Version("1.7.0")
package io.worldgate.runtime.nn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
