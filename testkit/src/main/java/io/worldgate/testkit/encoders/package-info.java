/**
 * Stand-in image encoder services for the tests of agents that take {@code encoder=NAME}, so that
 * they need no other plugin: {@link io.worldgate.testkit.encoders.PoolingImageEncoder} (frozen, no
 * weights) and {@link io.worldgate.testkit.encoders.LinearImageEncoder} (trainable, with its
 * {@link io.worldgate.testkit.encoders.LinearImageEncoderCopy}). They implement the runtime's
 * {@code ImageEncoder}: the testkit compiles against worldgate-runtime in scope {@code provided},
 * so only a test classpath that has the runtime (as every plugin's has) can use this package.
 */
package io.worldgate.testkit.encoders;
