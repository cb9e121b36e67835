/** Environment bridges: env ids, their families, and the vectorized environments they create. */
package io.worldgate.gateway.bridge;
