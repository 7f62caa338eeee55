package dev.googlenet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code googlenet}: the command line. Subcommands are thin: parse, call the library, print. */
@Command(name = "googlenet", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "googlenet 0.1.0",
        description = "GoogLeNet (Inception v1) in pure Java: classify images, evaluate, train, run tensors, "
                + "import/export ONNX, benchmark.",
        subcommands = {SummaryCommand.class, ClassifyCommand.class, EvalImagesCommand.class, TrainCommand.class,
                RunCommand.class, ExportCommand.class, FetchCommand.class, BenchCommand.class,
                ExplainCommand.class, BranchesCommand.class, DreamCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; errors become one line on stderr, exit code 1. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("googlenet " + cmd.getCommandName() + ": " + message(ex));
            if (System.getenv("GOOGLENET_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }
}
