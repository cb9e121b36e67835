package io.worldgate.runtime.evolve;

/** Why {@link CmaEs#stopReasons()} says a run should end. */
public enum StopReason {
    /** {@link CmaEsSettings#maxIterations()} generations were told. */
    MAX_ITERATIONS,
    /**
     * The best fitness of each of the last {@code 10 + ceil(30 n / lambda)} generations, and all
     * the fitness values of the last generation, lie within {@link CmaEsSettings#tolFun()}.
     */
    TOL_FUN,
    /**
     * In every coordinate, {@code sigma * max(|p_c|, sqrt(C_ii))} is below
     * {@link CmaEsSettings#tolX()}: the search has stopped moving.
     */
    TOL_X,
    /** The covariance matrix's condition number passed 1e14: further steps are numerically unsound. */
    CONDITION
}
