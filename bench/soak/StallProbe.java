import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How long one worker failure holds up the whole vectorized env: steps {@code gym:CartPole-v1},
 * 8 envs over 4 workers, with default supervision but for a limit of 20 failures a minute, and
 * kills a random worker every 12 s (SIGKILL, every third time SIGSTOP); prints the longest step in
 * the 6 s after each kill. It uses only the bridge's public API, so the same file measures an
 * older gateway jar too (the before/after figures in {@code bench/soak/README.md}).
 *
 * <pre>
 * java -cp "gateway/target/worldgate-gateway.jar:gateway/target/lib/*" bench/soak/StallProbe.java [KILLS]
 * </pre>
 */
public final class StallProbe {
    public static void main(String[] args) throws Exception {
        int killsWanted = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int n = 8;
        try (VectorEnv env = EnvRegistry.withBuiltins().create("gym:CartPole-v1", n, Map.of("bridge.workers", "4",
                "bridge.max_failures", "20"))) {
            SplittableRandom rng = new SplittableRandom(3);
            env.reset(0);
            List<Long> signalled = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (int k = 1; k <= killsWanted; k++) {
                long stepUntil = System.nanoTime() + 6_000_000_000L;
                while (System.nanoTime() < stepUntil) {
                    env.step(actions(rng, n));
                }
                List<ProcessHandle> live = ProcessHandle.current().descendants()
                        .filter(p -> p.info().commandLine().orElse("").contains("worldgate_envs"))
                        .filter(p -> !signalled.contains(p.pid())).toList();
                ProcessHandle victim = live.get(rng.nextInt(live.size()));
                String signal = k % 3 == 0 ? "STOP" : "KILL";
                new ProcessBuilder("kill", "-" + signal, Long.toString(victim.pid())).inheritIO().start().waitFor();
                signalled.add(victim.pid());
                long longest = 0;
                long watchUntil = System.nanoTime() + 6_000_000_000L;
                while (System.nanoTime() < watchUntil) {
                    long start = System.nanoTime();
                    env.step(actions(rng, n));
                    longest = Math.max(longest, System.nanoTime() - start);
                }
                lines.add(String.format(Locale.ROOT, "kill %d SIG%s: longest step %.3f s", k, signal, longest / 1e9));
                System.out.println(lines.get(lines.size() - 1));
            }
        }
    }

    private static Tensor actions(SplittableRandom rng, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextInt(2);
        }
        return Tensor.ofInts(a, n);
    }
}
