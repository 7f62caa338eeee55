package dev.googlenet.spark;

import dev.googlenet.io.ErrorMessages;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code googlenet spark}: batch inference and data-parallel training on Apache Spark. Its own entry point (this
 * module's jar), so the plain command line never loads Spark; {@code bin/googlenet spark …} and
 * {@code spark-submit --class dev.googlenet.spark.SparkMain} both land here.
 */
@Command(name = "googlenet spark", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "googlenet-spark 0.1.0",
        description = "GoogLeNet on Apache Spark: classify or embed many images, train data-parallel. Embedded "
                + "local mode unless --master or spark-submit says otherwise.",
        subcommands = {SparkClassifyCommand.Classify.class, SparkClassifyCommand.Embed.class,
                SparkTrainCommand.class, SparkBenchCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

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
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // the command line's messages: one line in words, control characters escaped, no class names
            cmd.getErr().println("googlenet spark " + cmd.getCommandName() + ": "
                    + ErrorMessages.of(ex, "GOOGLENET_DEBUG=1"));
            if (System.getenv("GOOGLENET_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
