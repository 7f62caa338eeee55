package dev.googlenet.cli;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run inference on a tensor: reads 'input' [N,3,H,W] from a safetensors file, "
        + "writes 'logits' [N,classes].")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, description = "model weights (safetensors, torchvision names)")
    Path weights;

    @Option(names = "--variant", required = true, description = "paper or torchvision")
    String variant;

    @Option(names = "--input", required = true, description = "safetensors file with a tensor named 'input'")
    Path input;

    @Option(names = "--input-tensor", defaultValue = "input",
            description = "name of the input tensor in --input (default: ${DEFAULT-VALUE})")
    String inputName;

    @Option(names = "--output", required = true, description = "safetensors file to write 'logits' to")
    Path output;

    @Override
    public Integer call() throws IOException {
        Variant v = Variant.parse(variant);
        SafetensorsFile weightFile = Safetensors.read(weights);
        Map<String, Tensor> state = StateDicts.tensors(weightFile);
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(v)
                .optNumClasses(classesOf(state))
                .optAuxHeads(state.keySet().stream().anyMatch(k -> k.startsWith("aux")))
                .build());
        try {
            model.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IOException(weights + ": " + e.getMessage(), e);
        }

        Tensor x = readInput();
        Tensor logits;
        try {
            logits = model.forward(x);
        } catch (IllegalArgumentException e) {
            throw new IOException(input + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("variant", v.name().toLowerCase());
        meta.put("weights", weights.getFileName().toString());
        Safetensors.write(output, Map.of("logits", logits), meta);
        System.out.println("wrote logits " + Shape.toString(logits.shape()) + " to " + output);
        for (int i = 0; i < logits.dim(0); i++) {
            System.out.println("  image " + i + ": top-1 class " + argmax(logits, i));
        }
        return 0;
    }

    private Tensor readInput() throws IOException {
        SafetensorsFile in = Safetensors.read(input);
        if (!in.contains(inputName)) {
            throw new IOException(input + ": no tensor named '" + inputName + "' (found " + in.names() + ")");
        }
        Tensor x = in.tensor(inputName);
        if (x.rank() != 4 || x.dim(1) != 3) {
            throw new IOException(input + ": tensor '" + inputName + "' must be [N,3,H,W], got "
                    + Shape.toString(x.shape()));
        }
        return x;
    }

    private static int argmax(Tensor logits, int row) {
        int classes = logits.dim(1), best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits.get(row, c) > logits.get(row, best)) {
                best = c;
            }
        }
        return best;
    }

    private int classesOf(Map<String, Tensor> state) throws IOException {
        Tensor fc = state.get("fc.weight");
        if (fc == null || fc.rank() != 2) {
            throw new IOException(weights + ": no classifier weight 'fc.weight' [classes,1024]");
        }
        return fc.dim(0);
    }
}
