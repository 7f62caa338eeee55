package dev.googlenet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "eval", sortOptions = false, description = {
        "Evaluate a model written by 'googlenet train' on labelled data: top-1, top-5, loss and the confusion matrix.",
        "By default the run's own dataset, its test split, and the Polyak-averaged weights when the run has them."})
final class EvalCommand implements Callable<Integer> {

    @Mixin
    CheckpointEvalOptions checkpoint;

    @Option(names = "--batch", defaultValue = "256", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!checkpoint.requested()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--checkpoint=RUN'");
        }
        return checkpoint.run(batch, System.out);
    }
}
