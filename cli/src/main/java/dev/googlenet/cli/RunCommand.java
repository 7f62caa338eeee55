package dev.googlenet.cli;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run inference on a tensor: reads 'input' [N,3,H,W] from a safetensors file, "
        + "writes 'logits' [N,classes]. The model: --weights FILE --variant V, or --model FILE.onnx|.safetensors.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", required = true, description = "safetensors file with a tensor named 'input'")
    Path input;

    @Option(names = "--input-tensor", defaultValue = "input",
            description = "name of the input tensor in --input (default: ${DEFAULT-VALUE})")
    String inputName;

    @Option(names = "--output", required = true, description = "safetensors file to write 'logits' to")
    Path output;

    @Override
    public Integer call() throws IOException {
        ModelOptions.Loaded loaded = modelOptions.load();
        Tensor x = readInput();
        Tensor logits;
        try {
            logits = loaded.logits().logits(x);
        } catch (IllegalArgumentException e) {
            throw new IOException(input + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", loaded.description());
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
}
