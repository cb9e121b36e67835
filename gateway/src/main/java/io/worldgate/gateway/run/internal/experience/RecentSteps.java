package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.experience.Selector;
import io.worldgate.gateway.run.internal.experience.StepReader.StepRef;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Recent steps favoured ({@link Selector.Recency}): an age is drawn from its weights over the
 * stored append ticks, then an environment uniformly; the step that environment stored at that
 * tick is found by binary search over its chunks' tick ranges and then the chunk's tick column.
 * Where that environment stored nothing at that tick (dropped by capacity, or not stepped then),
 * the draw is repeated, which keeps every stored step's probability proportional to its weight.
 * For sequences the newest {@code length - 1} ticks are skipped and age counts from the tick
 * before them, the newest start from which {@code length} steps are stored.
 */
final class RecentSteps implements StepSelector {
    /** Draws per step before giving up; each (tick, environment) pair is stored unless capacity dropped it. */
    private static final int MAX_DRAWS = 1_000_000;

    private final Selector.Recency recency;
    private final List<EnvStream> streams;
    private final StepReader reader;
    private final long newestTick;
    private final long maxAge;

    /** @param newestSkipped newest ticks never drawn (at most all but the oldest); ages count from the tick before them */
    RecentSteps(Selector.Recency recency, List<EnvStream> streams, StepReader reader, long newestSkipped) {
        this.recency = recency;
        this.streams = streams;
        this.reader = reader;
        long oldest = Long.MAX_VALUE;
        long newest = -1;
        for (EnvStream s : streams) {
            Chunk first = s.oldest();
            Chunk last = s.newest();
            if (first != null && first.count > 0) {
                oldest = Math.min(oldest, first.firstTick);
            }
            if (last != null && last.count > 0) {
                newest = Math.max(newest, last.lastTick);
            } else if (last != null && last == s.staging) {
                Chunk before = s.head < s.chunks.size() ? s.chunks.get(s.chunks.size() - 1) : null;
                if (before != null) {
                    newest = Math.max(newest, before.lastTick);
                }
            }
        }
        if (newest < 0) {
            throw new IllegalStateException("the experience is empty");
        }
        long skipped = Math.min(newestSkipped, newest - oldest);
        this.newestTick = newest - skipped;
        this.maxAge = newest - oldest - skipped;
    }

    @Override
    public StepRef pick(RandomGenerator rng) {
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            long tick = newestTick - recency.sampleAge(maxAge, rng);
            EnvStream s = streams.get(rng.nextInt(streams.size()));
            Chunk c = s.findByTick(tick);
            if (c != null) {
                int t = reader.stepAtTick(c, tick);
                if (t >= 0) {
                    return new StepRef(c, t);
                }
            }
        }
        throw new IllegalStateException("no stored step found in " + MAX_DRAWS + " draws");
    }
}
