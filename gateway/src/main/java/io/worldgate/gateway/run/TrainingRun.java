package io.worldgate.gateway.run;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.internal.AgentSlot;
import io.worldgate.gateway.run.internal.HostAgentContext;
import io.worldgate.gateway.run.internal.InMemoryExperience;
import io.worldgate.gateway.run.internal.VectorEnvEpisodeRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: a loop of act, step, observe and train over N environments with one agent,
 * on a thread of its own.
 *
 * <p>The run, not the agent, owns everything that must survive an agent swap: the environments,
 * the experience, the step counter and the checkpoints (as files in the run directory). The agent
 * may change at any step boundary (see {@link AgentSlot}); the loop goes on with the new one.
 */
public final class TrainingRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final long PROGRESS_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();

    private final RunConfig config;
    private final PluginHost host;
    private final EnvRegistry envs;
    private final RunListener listener;
    private final AgentSlot slot;
    private final Thread thread;
    private final Map<String, Double> metrics = new ConcurrentHashMap<>();
    private final List<Double> episodeReturns = Collections.synchronizedList(new ArrayList<>());

    private volatile RunState state = RunState.STARTING;
    private volatile String message = "starting";
    private volatile long step;
    private volatile long updates;
    private volatile double stepsPerSecond;
    private volatile boolean stopRequested;
    private volatile Path lastCheckpoint;
    private volatile String lastAgentLabel;
    private volatile WeakReference<ClassLoader> agentClassLoader = new WeakReference<>(null);

    private EnvSpec spec;
    private ExperienceStore experience;
    private VectorEnv env;
    private int checkpointCount;

    public TrainingRun(RunConfig config, PluginHost host, EnvRegistry envs, RunListener listener) {
        this.config = config;
        this.host = host;
        this.envs = envs;
        this.listener = listener;
        this.slot = new AgentSlot(config.agentName());
        this.thread = new Thread(this::runLoop, "run-" + config.runId());
    }

    /** Starts the loop on its own thread. */
    public TrainingRun start() {
        host.addListener(slot);
        thread.start();
        return this;
    }

    /** Asks the loop to stop at the next step boundary; it checkpoints the agent first. */
    public void stop() {
        stopRequested = true;
        slot.requestStop();
    }

    /** Waits for the run to end; returns its final status, or the current one on timeout. */
    public RunStatus await(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return status();
    }

    public RunConfig config() {
        return config;
    }

    public RunStatus status() {
        List<Double> returns = episodeReturns;
        double last;
        int episodes;
        synchronized (returns) {
            episodes = returns.size();
            last = episodes == 0 ? Double.NaN : returns.get(episodes - 1);
        }
        return new RunStatus(config.runId(), state, message, slot.current().map(FactoryHandle::label).orElse(null), step,
                config.totalSteps(), episodes, last, stepsPerSecond, updates);
    }

    /** Returns of every finished episode, in order. */
    public List<Double> episodeReturns() {
        synchronized (episodeReturns) {
            return List.copyOf(episodeReturns);
        }
    }

    /** The latest value of each metric the agent reported. */
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** The agent in use, or last in use, as {@code name@version}; null before the first was created. */
    public String lastAgentLabel() {
        return lastAgentLabel;
    }

    /** The directory of the latest checkpoint, if any was written. */
    public Optional<Path> lastCheckpoint() {
        return Optional.ofNullable(lastCheckpoint);
    }

    /**
     * A weak reference to the class loader of the agent in use (or last in use). Lets tests
     * check that a replaced plugin's class loader can be collected.
     */
    public WeakReference<ClassLoader> agentClassLoader() {
        return agentClassLoader;
    }

    private void runLoop() {
        try {
            Files.createDirectories(config.runDirectory());
            env = envs.create(config.envId(), config.numEnvs(), config.envOptions());
            spec = env.spec();
            experience = new InMemoryExperience(spec);
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(RunState.STOPPED, "interrupted");
        } catch (RuntimeException | IOException e) {
            LOG.error("run {} failed", config.runId(), e);
            end(RunState.FAILED, AgentSlot.describe(e));
        } finally {
            host.removeListener(slot);
            if (env != null) {
                env.close();
            }
        }
    }

    private void loop() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle();
        StepBatch obs = env.reset(config.seed());
        experience.appendObservations(obs);
        int n = spec.numEnvs();
        double[] returns = new double[n];
        int[] lengths = new int[n];
        double pendingUpdates = 0;
        long nextCheckpoint = config.checkpointEvery() > 0 ? config.checkpointEvery() : Long.MAX_VALUE;
        long lastProgress = 0;
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        while (step < config.totalSteps() && !stopRequested) {
            Optional<Agent> acquired = slot.acquire(lifecycle);
            if (acquired.isEmpty()) {
                break;
            }
            Agent agent = acquired.get();
            if (state != RunState.RUNNING) {
                setState(RunState.RUNNING, "running");
            }
            Tensor actions;
            try {
                actions = agent.act(obs, ActMode.EXPLORE);
                if (actions == null) {
                    throw new IllegalStateException("act returned null");
                }
            } catch (RuntimeException e) {
                agentFailed("failed in act: " + AgentSlot.describe(e));
                continue;
            }
            Optional<String> invalid = spec.actionSpace().validateBatch(actions, n);
            if (invalid.isPresent()) {
                agentFailed("returned invalid actions: " + invalid.get());
                continue;
            }
            experience.appendActions(actions);
            obs = env.step(actions);
            experience.appendObservations(obs);
            step += n;
            windowSteps += n;
            for (int i = 0; i < n; i++) {
                if (obs.isFirst()[i]) {
                    continue;
                }
                returns[i] += obs.rewards()[i];
                lengths[i]++;
                if (obs.isLast(i)) {
                    episodeReturns.add(returns[i]);
                    listener.onEpisode(status(), returns[i], lengths[i]);
                    returns[i] = 0;
                    lengths[i] = 0;
                }
            }
            if (config.trainRatio() > 0 && step >= config.prefillSteps()) {
                pendingUpdates += n * config.trainRatio();
                int budget = (int) pendingUpdates;
                if (budget > 0) {
                    pendingUpdates -= budget;
                    try {
                        metrics.putAll(agent.train(budget));
                        updates += budget;
                    } catch (RuntimeException e) {
                        agentFailed("failed in train: " + AgentSlot.describe(e));
                        continue;
                    }
                }
            }
            if (step >= nextCheckpoint) {
                nextCheckpoint += config.checkpointEvery();
                slot.current().ifPresent(h -> writeCheckpoint(h, agent, "periodic"));
            }
            long now = System.nanoTime();
            if (now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                double seconds = (now - windowStart) / 1e9;
                if (seconds > 1) {
                    stepsPerSecond = windowSteps / seconds;
                    windowStart = now;
                    windowSteps = 0;
                } else if (stepsPerSecond == 0 && seconds > 0) {
                    stepsPerSecond = windowSteps / seconds;
                }
                lastProgress = now;
                listener.onProgress(status());
            }
        }
        slot.stop(lifecycle, stopRequested ? "run stopped" : "run finished");
        end(stopRequested && step < config.totalSteps() ? RunState.STOPPED : RunState.FINISHED,
                (stopRequested && step < config.totalSteps() ? "stopped" : "finished") + " at step " + step);
    }

    private void agentFailed(String what) {
        String label = slot.current().map(FactoryHandle::label).orElse(config.agentName());
        String text = label + " " + what;
        LOG.warn("run {}: {}", config.runId(), text);
        slot.fail(text);
        event(text + "; run paused until another version is deployed");
    }

    private void end(RunState s, String why) {
        setState(s, why);
        listener.onProgress(status());
    }

    private void setState(RunState s, String why) {
        boolean changed = state != s || !why.equals(message);
        state = s;
        message = why;
        if (changed) {
            event(why);
        }
    }

    private void event(String text) {
        LOG.info("run {} at step {}: {}", config.runId(), step, text);
        listener.onEvent(status(), text);
    }

    private Path writeCheckpoint(FactoryHandle h, Agent agent, String why) {
        Path dir = config.runDirectory().resolve("checkpoints")
                .resolve(String.format("%04d-step%d-%s", ++checkpointCount, step, h.label().replace('@', '-')));
        try {
            Files.createDirectories(dir);
            agent.save(dir);
            Files.writeString(dir.resolve("checkpoint.properties"), "agent=" + h.agentName() + "\nversion=" + h.version()
                    + "\nbundle=" + h.symbolicName() + "\nstep=" + step + "\nreason=" + why + "\n", StandardCharsets.UTF_8);
            lastCheckpoint = dir;
            return dir;
        } catch (IOException | RuntimeException e) {
            LOG.warn("checkpoint of {} failed: {}", h.label(), AgentSlot.describe(e));
            event("checkpoint of " + h.label() + " failed: " + AgentSlot.describe(e));
            return null;
        }
    }

    /** How the slot creates and retires agents for this run. */
    private final class Lifecycle implements AgentSlot.Lifecycle {
        @Override
        public Agent create(FactoryHandle h) {
            Optional<String> incompatible = h.factory().incompatibility(spec);
            if (incompatible.isPresent()) {
                throw new IllegalArgumentException(incompatible.get());
            }
            AgentConfig agentConfig = AgentConfig.resolve(h.factory().descriptor(), config.preset(), config.agentOverrides());
            HostAgentContext context = new HostAgentContext(experience,
                    Optional.of(new VectorEnvEpisodeRunner(spec, k -> envs.create(config.envId(), k, config.envOptions()))),
                    new RunMetrics(), config.runDirectory(), config.seed(), config.device(), host.bundleContext());
            Agent agent = h.factory().create(spec, agentConfig, context);
            if (agent == null) {
                throw new IllegalStateException("create returned null");
            }
            agentClassLoader = new WeakReference<>(agent.getClass().getClassLoader());
            lastAgentLabel = h.label();
            Path checkpoint = lastCheckpoint;
            if (checkpoint == null) {
                event("agent " + h.label() + " created");
                return agent;
            }
            try {
                agent.load(checkpoint);
                event("agent " + h.label() + " took over from checkpoint " + checkpoint.getFileName());
            } catch (IncompatibleCheckpointException e) {
                event("agent " + h.label() + " starts fresh: checkpoint " + checkpoint.getFileName() + " is incompatible ("
                        + e.getMessage() + ")");
            } catch (IOException e) {
                agent.close();
                throw new UncheckedIOException("cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
            }
            return agent;
        }

        @Override
        public void retire(FactoryHandle h, Agent agent, String why) {
            writeCheckpoint(h, agent, why);
            try {
                agent.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", h.label(), AgentSlot.describe(e));
            }
            event("agent " + h.label() + " retired (" + why + ")");
        }

        @Override
        public void waiting(String why) {
            if (stopRequested) {
                return;
            }
            setState(RunState.PAUSED, why);
            listener.onProgress(status());
        }
    }

    /** Keeps the latest value of each scalar; files are logged. */
    private final class RunMetrics implements MetricsSink {
        @Override
        public void scalar(String name, double value) {
            metrics.put(name, value);
        }

        @Override
        public void file(String name, Path file) {
            event(name + " written to " + file);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        thread.join();
    }
}
