package dev.googlenet.cli;

import dev.googlenet.io.ErrorMessages;
import dev.googlenet.data.ImageDecoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code googlenet}: the command line. Subcommands are thin: parse, call the library, print. */
@Command(name = "googlenet", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "googlenet 0.1.0",
        description = "GoogLeNet (Inception v1) in pure Java: classify images, evaluate, train, run tensors, "
                + "import/export ONNX, benchmark.",
        subcommands = {SummaryCommand.class, ClassifyCommand.class, EvalImagesCommand.class, TrainCommand.class,
                EmbedCommand.class,
                RunCommand.class, ExportCommand.class, FetchCommand.class, BenchCommand.class,
                ServeCommand.class, ExplainCommand.class, BranchesCommand.class, DreamCommand.class,
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

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "on an error, print its stack trace too (for bug reports; GOOGLENET_DEBUG=1 does the same)")
    boolean debug;

    @CommandLine.Option(names = "--max-image-pixels", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
            description = "refuse images of more pixels than N, from their header, before decoding (default: "
                    + "Pillow's 89,478,485, against decompression bombs)")
    void maxImagePixels(long pixels) {
        ImageDecoder.setMaxPixels(pixels);
    }

    /**
     * Runs the command line and returns its exit code. Any failure — an exception or an {@link Error}, out of
     * memory included — becomes one line on stderr and exit code 1; the stack trace only with {@code --debug}.
     */
    public static int execute(String... args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        // Errors (out of memory, stack overflow) pass picocli's handler by; wrapped, they reach it like exceptions
        cli.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (Error e) {
                CommandLine.ParseResult last = parsed;
                while (last.hasSubcommand()) { // the command that ran, for "googlenet classify: …"
                    last = last.subcommand();
                }
                throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), "error", e);
            }
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable cause = ex instanceof CommandLine.ExecutionException && ex.getCause() != null
                    ? ex.getCause() : ex;
            cmd.getErr().println("googlenet " + cmd.getCommandName() + ": " + ErrorMessages.of(cause));
            if (main.debug || System.getenv("GOOGLENET_DEBUG") != null) {
                cause.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
