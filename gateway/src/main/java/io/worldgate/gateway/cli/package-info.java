/** The {@code worldgate} command line (picocli). */
package io.worldgate.gateway.cli;
