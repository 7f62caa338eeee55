package dev.googlenet.cli;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.TableOne;
import dev.googlenet.model.Variant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "summary", description = "Print the paper's Table 1 computed from the model: output sizes, "
        + "Inception columns, parameters and multiply-adds.")
final class SummaryCommand implements Callable<Integer> {

    @Option(names = "--variant", defaultValue = "paper", description = "paper or torchvision (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--size", description = "input height and width (default: 224, or 28 with --small-input)")
    Integer size;

    @Option(names = "--classes", defaultValue = "1000", description = "classifier outputs (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--small-input", description = "the small-input network for 28×28 / 32×32 images")
    boolean smallInput;

    @Option(names = "--width", defaultValue = "1", description = "channel width multiplier (default: ${DEFAULT-VALUE})")
    float width;

    @Option(names = "--channels", defaultValue = "3", description = "input channels (default: ${DEFAULT-VALUE})")
    int channels;

    @Override
    public Integer call() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                .optNumClasses(classes).optSmallInput(smallInput).optWidth(width).optInputChannels(channels).build());
        System.out.print(new TableOne(model, size != null ? size : smallInput ? 28 : 224).render());
        return 0;
    }
}
