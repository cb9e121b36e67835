package io.worldgate.gateway.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Small helpers for tests that drive runs. */
public final class RunFixtures {
    private RunFixtures() {}

    /** An endless (1e12-step) run of {@code agent} on two java:CartPole environments. */
    static RunConfig endless(String id, String agent, Path dir, Map<String, String> overrides) {
        return new RunConfig(id, agent, null, overrides, "java:CartPole", Map.of(), 2, 1_000_000_000_000L, 7, 0, 0, 0, 0, 1,
                dir.resolve("runs").resolve(id), "cpu");
    }

    /** Records every event a run reports: typed, for assertions, and as text, for failure messages only. */
    public static final class Events implements RunListener {
        public final List<String> events = new CopyOnWriteArrayList<>();
        public final List<RunEvent> typed = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunStatus status, RunEvent event) {
            typed.add(event);
            onEvent(status, event.text());
        }

        /** The events of one kind, in order. */
        public <T extends RunEvent> List<T> of(Class<T> kind) {
            return typed.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        @Override
        public void onEvent(RunStatus status, String event) {
            events.add("step " + status.step() + ": " + event);
        }
    }
}
