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

    @Option(names = "--size", defaultValue = "224", description = "input height and width (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--classes", defaultValue = "1000", description = "classifier outputs (default: ${DEFAULT-VALUE})")
    int classes;

    @Override
    public Integer call() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                .optNumClasses(classes).build());
        System.out.print(new TableOne(model, size).render());
        return 0;
    }
}
