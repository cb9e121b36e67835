package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RunReporterTest {
    private final AtomicLong step = new AtomicLong(7);
    private final List<String> written = new ArrayList<>();
    private final MetricsWriter writer = (tag, value, at) -> written.add(tag + "=" + value + "@" + at);

    private RunStatus status() {
        return new RunStatus("r", RunState.RUNNING, "running", "a@1", step.get(), 100, 0, Double.NaN, 0, 0, 0, 0);
    }

    @Test
    void aFailingListenerDoesNotKeepTheOthersFromAnEvent() {
        List<RunEvent> heard = new ArrayList<>();
        RunListener failing = new RunListener() {
            @Override
            public void onEvent(RunStatus s, RunEvent e) {
                throw new IllegalStateException("stream gone");
            }
        };
        RunListener recording = new RunListener() {
            @Override
            public void onEvent(RunStatus s, RunEvent e) {
                heard.add(e);
            }
        };
        RunReporter reporter = new RunReporter("r", writer, List.of(failing, recording), step::get, this::status);
        reporter.note("hello");
        assertThat(heard).containsExactly(new RunEvent.Note(7, "hello"));
    }

    @Test
    void scalarsAreStampedWithTheCurrentStepForTheWriterAndTheListeners() {
        List<String> heard = new ArrayList<>();
        RunReporter reporter = new RunReporter("r", writer, List.of(), step::get, this::status);
        reporter.addListener(new RunListener() {
            @Override
            public void onScalar(String tag, double value, long at) {
                heard.add(tag + "=" + value + "@" + at);
            }
        });
        step.set(42);
        reporter.scalar("loss", 0.5);
        assertThat(written).containsExactly("loss=0.5@42");
        assertThat(heard).containsExactly("loss=0.5@42");
    }

    @Test
    void aRemovedListenerHearsNoMore() {
        List<Long> progress = new ArrayList<>();
        RunListener l = new RunListener() {
            @Override
            public void onProgress(RunStatus s) {
                progress.add(s.step());
            }
        };
        RunReporter reporter = new RunReporter("r", writer, List.of(l), step::get, this::status);
        reporter.progress();
        reporter.removeListener(l);
        reporter.progress();
        assertThat(progress).containsExactly(7L);
    }

    @Test
    void aListenerWithHistoryHearsEveryEventOnceInOrderEvenWhileTheRunGoesOn() throws Exception {
        RunReporter reporter = new RunReporter("r", writer, List.of(), step::get, this::status);
        for (int i = 0; i < 100; i++) {
            reporter.note("early " + i);
        }
        // A second thread reports while the listener joins: the join falls somewhere in its stream.
        Thread run = new Thread(() -> {
            for (int i = 0; i < 2_000; i++) {
                reporter.note("late " + i);
            }
        });
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        run.start();
        reporter.follow(new RunListener() {
            @Override
            public void onEvent(RunStatus s, RunEvent e) {
                heard.add(((RunEvent.Note) e).text());
            }
        }, true);
        run.join();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("early " + i);
        }
        for (int i = 0; i < 2_000; i++) {
            expected.add("late " + i);
        }
        assertThat(heard).containsExactlyElementsOf(expected);
    }

    @Test
    void theHistoryKeepsTheLatestEventsWithTheStatusOfTheirTime() {
        RunReporter reporter = new RunReporter("r", writer, List.of(), step::get, this::status);
        for (int i = 0; i < RunReporter.HISTORY_EVENTS + 5; i++) {
            step.set(i);
            reporter.note("n" + i);
        }
        List<Long> steps = new ArrayList<>();
        List<Long> statusSteps = new ArrayList<>();
        reporter.follow(new RunListener() {
            @Override
            public void onEvent(RunStatus s, RunEvent e) {
                steps.add(e.step());
                statusSteps.add(s.step());
            }
        }, true);
        assertThat(steps).hasSize(RunReporter.HISTORY_EVENTS).first().isEqualTo(5L);
        assertThat(steps).last().isEqualTo((long) RunReporter.HISTORY_EVENTS + 4);
        assertThat(statusSteps).isEqualTo(steps);
    }

    @Test
    void aFollowerLearnsWhetherTheRunsEndWasToldBeforeItJoined() {
        RunReporter reporter = new RunReporter("r", writer, List.of(), step::get, this::status);
        RunListener quiet = new RunListener() {};
        assertThat(reporter.follow(quiet, false)).isFalse();
        reporter.event(new RunEvent.RunEnded(RunState.FINISHED, 7, "finished"));
        assertThat(reporter.follow(quiet, false)).isTrue();
        assertThat(reporter.follow(quiet, true)).isTrue();
    }

    /**
     * The run's thread tells events while it holds its agent slot's lock, which reading the status
     * also takes; an event told from another thread (a swap request) must not hold the reporter's
     * lock while it waits for the slot's.
     */
    @Test
    void eventsFromTwoThreadsDoNotDeadlockOnTheStatusLock() throws Exception {
        java.util.concurrent.locks.ReentrantLock slot = new java.util.concurrent.locks.ReentrantLock();
        RunReporter reporter = new RunReporter("r", writer, List.of(), step::get, () -> {
            slot.lock();
            try {
                return status();
            } finally {
                slot.unlock();
            }
        });
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Thread runThread = new Thread(() -> {
            slot.lock();
            try {
                held.countDown();
                Thread.sleep(300);
                reporter.note("checkpoint written");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                slot.unlock();
            }
        });
        runThread.setDaemon(true);
        runThread.start();
        held.await();
        Thread client = new Thread(() -> reporter.note("swap requested"));
        client.setDaemon(true);
        client.start();
        runThread.join(10_000);
        client.join(10_000);
        assertThat(runThread.isAlive() || client.isAlive()).as("deadlocked").isFalse();
    }
}
