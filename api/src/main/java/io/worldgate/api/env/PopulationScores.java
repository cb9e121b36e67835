package io.worldgate.api.env;

import java.util.List;

/**
 * What a {@link PopulationEvaluator} found.
 *
 * @param episodes per candidate, in the candidates' order, its episodes in the order they ended
 * @param steps simulator steps the evaluation took, scored or not: what it added to the run's
 *     step count and experience
 */
public record PopulationScores(List<List<EpisodeSummary>> episodes, long steps) {
    public PopulationScores {
        episodes = episodes.stream().map(List::copyOf).toList();
    }

    /** The number of candidates. */
    public int size() {
        return episodes.size();
    }

    /** Candidate {@code c}'s mean episode return. */
    public double meanReturn(int c) {
        return episodes.get(c).stream().mapToDouble(EpisodeSummary::episodeReturn).average().orElse(Double.NaN);
    }

    /** Every candidate's mean episode return, in the candidates' order. */
    public double[] meanReturns() {
        double[] means = new double[size()];
        for (int c = 0; c < means.length; c++) {
            means[c] = meanReturn(c);
        }
        return means;
    }
}
