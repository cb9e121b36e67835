package io.worldgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.api.space.DictSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every learner plugin keeps, as the host relies on it. A plugin's tests extend this
 * class and name their factory (and, to keep the tests fast, a small configuration):
 *
 * <pre>{@code
 * class MyLearnerContractTest extends LearnerContractTest {
 *     protected LearnerFactory factory() { return new MyLearnerFactory(); }
 * }
 * }</pre>
 *
 * <p>On the experience of every spec of {@link TestSpecs#everyKind} whose observations the learner
 * accepts (or the one {@link #experience} gives): it updates with finite metrics; it saves a
 * checkpoint that a differently seeded learner loads, after which both save the same files (the
 * checkpoint holds what was learnt) and the loaded one goes on updating; it rejects a directory
 * that is no checkpoint of its own with {@link IncompatibleCheckpointException} (or an
 * {@link IOException}); and it leaves no thread behind when closed.
 */
public abstract class LearnerContractTest {
    private static final int ENVS = 2;

    /** The plugin's factory. */
    protected abstract LearnerFactory factory();

    /** The preset the tests use; null for the learner's default. */
    protected String preset() {
        return null;
    }

    /** Configuration overrides, e.g. a small batch so that updates are quick. */
    protected Map<String, String> config() {
        return Map.of();
    }

    /** Updates run in each test before a save. */
    protected int updates() {
        return 3;
    }

    /** Steps stored in each test experience. */
    protected int storedSteps() {
        return 200;
    }

    /**
     * Whether a learner that loaded a checkpoint, saved again at once, writes the same bytes as the
     * checkpoint it loaded. True for a learner whose checkpoint is its whole state; say false for
     * one whose files carry something that changes from save to save (a time stamp).
     */
    protected boolean savesWhatItLoaded() {
        return true;
    }

    /** The experiences the tests train on, by name, with their observations: the accepted test specs'. */
    protected List<Map.Entry<DictSpace, Experience>> experiences() {
        LearnerFactory factory = factory();
        List<Map.Entry<DictSpace, Experience>> out = TestSpecs.everyKind(ENVS).stream()
                .filter(s -> factory.incompatibility(s.observationSpace()).isEmpty())
                .map(s -> Map.<DictSpace, Experience>entry(s.observationSpace(), experience(s)))
                .toList();
        assertThat(out).as("%s accepts none of the test specs", factory.descriptor().name()).isNotEmpty();
        return out;
    }

    /** The experience of {@code spec} the tests use: random rollouts. */
    protected Experience experience(EnvSpec spec) {
        return RandomRollouts.of(spec, storedSteps(), 1);
    }

    private Learner create(Map.Entry<DictSpace, Experience> data, Path dir, long seed) {
        AgentConfig config = factory().descriptor().resolve(preset(), config());
        return factory().create(new FakeLearnerContext(data.getValue(), data.getKey(), dir, seed), config);
    }

    private void updateAll(Learner learner, String what) {
        for (int i = 0; i < updates(); i++) {
            assertThat(learner.update().values()).as("%s: metrics of update %d", what, i)
                    .allSatisfy(v -> assertThat(v).isFinite());
        }
    }

    @Test
    void updatesWithFiniteMetrics(@TempDir Path dir) {
        for (Map.Entry<DictSpace, Experience> data : experiences()) {
            try (Learner learner = create(data, dir, 1)) {
                updateAll(learner, data.getKey().spaces().keySet().toString());
            }
        }
    }

    @Test
    void savesAndLoadsAndGoesOnUpdating(@TempDir Path dir) throws Exception {
        int n = 0;
        for (Map.Entry<DictSpace, Experience> data : experiences()) {
            String what = data.getKey().spaces().keySet().toString();
            Path checkpoint = Files.createDirectories(dir.resolve("saved" + n));
            Path again = Files.createDirectories(dir.resolve("again" + n++));
            try (Learner first = create(data, dir, 3)) {
                updateAll(first, what);
                first.save(checkpoint);
            }
            assertThat(files(checkpoint)).as("%s: files in the checkpoint", what).isNotEmpty();
            try (Learner second = create(data, dir, 4)) {
                second.load(checkpoint);
                if (savesWhatItLoaded()) {
                    second.save(again);
                    assertThat(contents(again)).as("%s: what a differently seeded learner saves right after loading", what)
                            .isEqualTo(contents(checkpoint));
                }
                updateAll(second, what);
            }
        }
    }

    @Test
    void rejectsADirectoryThatHoldsNoCheckpointOfItsOwn(@TempDir Path dir) throws IOException {
        Map.Entry<DictSpace, Experience> data = experiences().get(0);
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("checkpoint.properties"), "format=somebody-else\n");
        try (Learner learner = create(data, dir, 5)) {
            assertThatThrownBy(() -> learner.load(foreign)).isInstanceOfAny(IncompatibleCheckpointException.class,
                    IOException.class);
        }
    }

    @Test
    void leavesNoThreadBehindWhenClosed(@TempDir Path dir) throws InterruptedException {
        Map.Entry<DictSpace, Experience> data = experiences().get(0);
        // a first learner may start lazily shared pools (an engine's, the JIT's): not the learner's to stop
        try (Learner warm = create(data, dir, 6)) {
            warm.update();
        }
        Set<Thread> before = liveThreads();
        for (int i = 0; i < 3; i++) {
            try (Learner learner = create(data, dir, 7 + i)) {
                learner.update();
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!startedSince(before).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(startedSince(before).stream().map(Thread::getName).toList())
                .as("threads started by three learners and still alive after they were closed").isEmpty();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Each file's path relative to {@code dir}, with its bytes as text in ISO-8859-1 (one char per byte). */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Path f : files(dir)) {
            out.put(dir.relativize(f).toString(), new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static Set<Thread> liveThreads() {
        Set<Thread> live = new HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).forEach(live::add);
        return live;
    }

    private static List<Thread> startedSince(Set<Thread> before) {
        return liveThreads().stream().filter(t -> !before.contains(t)).toList();
    }
}
