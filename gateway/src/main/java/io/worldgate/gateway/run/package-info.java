/** Training runs: the act, step, observe and train loop, and swapping agents while it goes on. */
package io.worldgate.gateway.run;
