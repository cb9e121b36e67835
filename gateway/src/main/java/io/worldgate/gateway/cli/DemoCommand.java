package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.TrainingSession;
import io.worldgate.gateway.service.RunRequest;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate demo}: the main job, a short run of the default agent on the default environment. */
@Command(name = "demo", description = "A short training run of the default agent on the default environment.")
final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_AGENT = "random";
    static final String DEFAULT_ENV = "java:CartPole";

    @ParentCommand
    Main main;

    @Option(names = "--steps", defaultValue = "20000", description = "Env steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Override
    public Integer call() throws InterruptedException {
        RunRequest request = new RunRequest(DEFAULT_AGENT, null, Map.of(), DEFAULT_ENV, Map.of(), 4, steps, 0, 0, 0, 0,
                steps / 4, 4, "auto");
        try (GatewayClient client = main.client()) {
            return TrainingSession.train(client, request, false);
        }
    }
}
