package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunStatus;
import java.util.Optional;

/** A swap's answer: the run's status then, and the swap's outcome once known (empty while pending). */
public record SwapReply(RunStatus status, Optional<SwapOutcome> outcome) {}
