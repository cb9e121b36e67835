package io.worldgate.api.env;

import java.util.List;

/**
 * Lets an agent run whole episodes in real environments with a policy of its own, outside the
 * host's act-step loop. Evolution strategies need this: CMA-ES scores each candidate controller
 * by the returns of the episodes it plays. To score a population, prefer {@link PopulationEvaluator}
 * (API 1.3): it plays every episode to its end on the run's own environments, and its steps are
 * the run's.
 *
 * <h2>What the host's runner does (API 1.x)</h2>
 * <ul>
 *   <li><b>Where.</b> Only a training run lends one ({@link io.worldgate.api.agent.AgentContext#episodeRunner}
 *       is empty in {@code evaluate} and for agents driven from Python). Call it from the agent's
 *       {@code train}, on the run's thread: the run neither steps nor checkpoints until it returns,
 *       and a stop or swap of the run waits for it.</li>
 *   <li><b>Environments.</b> Each call opens {@code min(episodes, spec().numEnvs())} new environments
 *       (at least one) of the run's id and options, and closes them when it returns. For a Python
 *       family that is a new worker process per call; the run's own environments are not touched.</li>
 *   <li><b>Batches.</b> The policy is first shown the reset batch (every entry {@code isFirst}),
 *       then each step's batch; a batch has one entry per environment opened for the call, which may
 *       be fewer than {@code spec().numEnvs()}, and the actions it returns must have that batch size.
 *       Environments reset themselves: after an entry's {@code isLast} step, its next step is the new
 *       episode's first, whose action is ignored.</li>
 *   <li><b>Accounting.</b> An episode's length counts its steps after the reset, its return sums their
 *       rewards; {@code terminated} is false for a truncated episode. Episodes cut by a worker restart
 *       are not returned (they are played again). These steps do not count in the run's step budget,
 *       are not appended to the experience and do not appear in the run's episode count or metrics.</li>
 *   <li><b>Which episodes.</b> Each environment plays a share of the {@code episodes} fixed before the
 *       first step ({@code episodes / n} each, one more for the first {@code episodes % n} of the
 *       {@code n} opened), so short episodes are not favoured; an environment that has played its
 *       share goes on stepping until the others have, and its further episodes are not returned.
 *       Episodes are returned in the order they finished; an environment whose episodes never end
 *       (no time limit) holds the call. The policy never sees the final
 *       step's observation of the last episode returned (the call ends on that step), while it does
 *       see, as {@code isLast} entries, the final observations of the others.</li>
 * </ul>
 */
public interface EpisodeRunner {

    /** The spec of the environments episodes run in. */
    EnvSpec spec();

    /**
     * Plays {@code episodes} complete episodes with {@code policy} and returns them in the order
     * they finished. Environments are seeded from {@code seed} so a candidate can be scored on the
     * same starts as another.
     */
    List<EpisodeSummary> run(Policy policy, int episodes, long seed);
}
