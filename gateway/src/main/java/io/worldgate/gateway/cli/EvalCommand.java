package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.service.EvaluationResult;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate eval RUN}. */
@Command(name = "eval", description = "Play evaluation episodes with a run's latest (or a given) checkpoint.")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN")
    String runId;

    @Option(names = "--checkpoint", description = "Checkpoint directory name under the run's checkpoints/ (default: latest).")
    String checkpoint;

    @Option(names = "--episodes", defaultValue = "10", description = "Episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "12345", description = "Seed of the evaluation environments (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        if (episodes < 1 || episodes > 1000) {
            throw new IllegalArgumentException("--episodes must be in [1, 1000], got " + episodes);
        }
        try (GatewayClient client = main.client()) {
            EvaluationResult r = client.evaluate(runId, checkpoint, episodes, seed);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("agent", r.agent());
                out.put("checkpoint", r.checkpoint());
                out.put("returns", r.returns());
                out.put("mean_return", r.meanReturn());
                out.put("mean_infos", r.meanInfos());
                System.out.println(Json.write(out));
            } else {
                StringBuilder infos = new StringBuilder();
                r.meanInfos().forEach((name, value) -> infos.append(String.format(Locale.ROOT, ", mean %s %.3f", name, value)));
                int n = r.returns().size();
                System.out.printf(Locale.ROOT, "%s with checkpoint %s: mean return %.2f over %d episode%s%s%n", r.agent(),
                        r.checkpoint(), r.meanReturn(), n, n == 1 ? "" : "s", infos);
            }
        }
        return 0;
    }
}
