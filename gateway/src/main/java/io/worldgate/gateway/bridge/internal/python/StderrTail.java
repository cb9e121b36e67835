package io.worldgate.gateway.bridge.internal.python;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines a worker wrote to stderr, for error messages. Thread-safe. */
final class StderrTail {
    private final int capacity;
    private final ArrayDeque<String> lines;

    StderrTail(int capacity) {
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The last {@code max} lines joined with newlines, or an empty string. */
    String text(int max) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - max), all.size()));
    }
}
