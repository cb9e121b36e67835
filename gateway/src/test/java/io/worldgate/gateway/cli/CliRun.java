package io.worldgate.gateway.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One run of the command line in this process, with what it wrote to stdout and stderr. */
public record CliRun(int exit, String out, String err) {

    /** {@code worldgate --plugins-dir deploy --runs-dir runs args...}. */
    public static CliRun with(Path deploy, Path runs, String... args) {
        List<String> all = new ArrayList<>(List.of("--plugins-dir", deploy.toString(), "--runs-dir", runs.toString()));
        all.addAll(List.of(args));
        return of(all.toArray(String[]::new));
    }

    /** {@code worldgate args...}, capturing stdout and stderr. Not thread-safe: it swaps System.out and System.err. */
    public static CliRun of(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new CliRun(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
