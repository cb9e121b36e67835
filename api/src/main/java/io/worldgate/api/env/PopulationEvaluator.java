package io.worldgate.api.env;

import java.util.List;

/**
 * Scores a population of policies on the run's own environments, for agents that search over
 * policies (CEM, CMA-ES) rather than follow a gradient. Reached through
 * {@link io.worldgate.api.agent.AgentContext#populationEvaluator()}.
 *
 * <h2>What the host does</h2>
 * <ul>
 *   <li><b>Where.</b> Only during the agent's {@code train}, on the run's thread; anywhere else
 *       {@link #evaluate} throws {@link IllegalStateException}. The run neither acts nor
 *       checkpoints until it returns. Only a training run lends one ({@code evaluate} and agents
 *       driven from Python have none).</li>
 *   <li><b>Environments.</b> The run's own {@code spec().numEnvs()} environments (W workers of
 *       K envs each): no environment or worker process is opened for it. The host resets them
 *       before and after: an episode the run had in progress is cut there (reported as a cut
 *       episode, not as a return), and the run's own acting goes on with fresh episodes.</li>
 *   <li><b>Spreading.</b> The {@code P × E} episodes are dealt out to the environments in turn
 *       (episode 1 of every candidate, then episode 2, ...): each environment, at the start of
 *       each of its episodes, takes the next episode still to play. Episodes of several candidates
 *       run side by side.</li>
 *   <li><b>Batches.</b> At each step every candidate holding an environment is shown the whole
 *       batch (all {@code numEnvs} entries) and returns actions for all of them; the host uses a
 *       candidate's actions only in the entries it holds. A candidate gets an environment only at
 *       an {@code isFirst} entry, so state kept per entry and reset on {@code isFirst} is sound.
 *       An environment with no episode left to play keeps stepping with the last candidate it
 *       held (or the first candidate) until every scored episode has ended; those steps are not
 *       scored.</li>
 *   <li><b>Every episode to its end.</b> The call returns when all {@code P × E} episodes have
 *       ended by termination or truncation, however long they take, so long episodes weigh as
 *       much as short ones. An episode cut by a worker restart is not scored; it is played again.</li>
 *   <li><b>Accounting.</b> Every simulator step taken, scored or not, counts in the run's step
 *       budget and is appended, with its action, to the run's experience (so a World Models agent
 *       trains its VAE on them); scored episodes are the run's episodes (its returns and metrics).
 *       An evaluation runs to its end even when it takes the run past its budget; the run stops
 *       after it.</li>
 * </ul>
 *
 * @since API 1.3 (package {@code io.worldgate.api.env} 1.1)
 */
public interface PopulationEvaluator {

    /** The spec of the run's environments; {@code numEnvs()} episodes run in parallel. */
    EnvSpec spec();

    /**
     * Plays {@code episodesPerCandidate} complete episodes with each of {@code candidates} and
     * returns them per candidate, in the candidates' order.
     *
     * @throws IllegalArgumentException if there is no candidate, or {@code episodesPerCandidate < 1}
     * @throws IllegalStateException if called outside the agent's {@code train}
     */
    PopulationScores evaluate(List<? extends Policy> candidates, int episodesPerCandidate);
}
