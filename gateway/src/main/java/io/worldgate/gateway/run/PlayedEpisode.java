package io.worldgate.gateway.run;

import io.worldgate.api.env.EpisodeSummary;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An evaluation episode: its summary and, for each number its environment reported beside the
 * observations ({@link io.worldgate.gateway.bridge.StepInfos}), the largest value it took in the
 * episode. For Meta-World's {@code success} flag that is whether the episode succeeded at any step.
 *
 * @param summary return, length and how the episode ended
 * @param infos name to largest value over the episode; empty where the environment reports none
 */
public record PlayedEpisode(EpisodeSummary summary, Map<String, Double> infos) {
    public PlayedEpisode {
        infos = sorted(infos);
    }

    /**
     * For each reported number, its mean over the episodes that reported it (the success rate for
     * a success flag), sorted by name.
     */
    public static Map<String, Double> meanInfos(List<PlayedEpisode> episodes) {
        Map<String, double[]> sums = new TreeMap<>();
        for (PlayedEpisode e : episodes) {
            e.infos().forEach((name, value) -> {
                double[] s = sums.computeIfAbsent(name, k -> new double[2]);
                s[0] += value;
                s[1]++;
            });
        }
        Map<String, Double> means = new TreeMap<>();
        sums.forEach((name, s) -> means.put(name, s[0] / s[1]));
        return Collections.unmodifiableMap(means);
    }

    /** An unmodifiable copy sorted by name, so that files and answers list the numbers in one order. */
    public static Map<String, Double> sorted(Map<String, Double> infos) {
        return Collections.unmodifiableMap(new TreeMap<>(infos));
    }
}
