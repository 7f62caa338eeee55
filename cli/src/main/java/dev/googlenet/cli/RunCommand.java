package dev.googlenet.cli;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.onnx.OnnxRunner;
import dev.googlenet.onnx.OnnxTensor;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run inference on a tensor: reads 'input' [N,3,H,W] from a safetensors file, "
        + "writes 'logits' [N,classes]; an ONNX model writes the graph's declared outputs by their names, as ONNX "
        + "Runtime would (e.g. 'logits' and 'prob'). The model: --weights FILE --variant V, or "
        + "--model FILE.onnx|.safetensors.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", required = true, description = "safetensors file with a tensor named 'input'")
    Path input;

    @Option(names = "--input-tensor", defaultValue = "input",
            description = "name of the input tensor in --input (default: ${DEFAULT-VALUE})")
    String inputName;

    @Option(names = "--output", required = true,
            description = "safetensors file to write 'logits' (ONNX: the graph's outputs) to")
    Path output;

    @Override
    public Integer call() throws IOException {
        Path onnx = modelOptions.onnxModel();
        if (onnx != null) {
            return runGraph(onnx);
        }
        ModelOptions.Loaded loaded = modelOptions.load();
        Tensor x = readInput(true);
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
        printTop1(logits);
        return 0;
    }

    /**
     * An ONNX file runs as the graph it is, not as the GoogLeNet it may map onto, and every declared output is
     * written under its own name, in declaration order: what ONNX Runtime would return for the same file.
     */
    private int runGraph(Path file) throws IOException {
        OnnxRunner runner = OnnxRunner.load(file);
        List<ValueInfo> inputs = runner.model().graph().realInputs();
        if (inputs.size() != 1) {
            throw new IOException(file + ": the graph has " + inputs.size() + " inputs " + inputs.stream()
                    .map(ValueInfo::name).toList() + "; run feeds exactly one");
        }
        // the graph checks the shape against its declaration (any rank); ours only needs the tensor
        Map<String, OnnxTensor> outs = runner.run(Map.of(inputs.getFirst().name(), OnnxTensor.of(readInput(false))));
        Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxTensor> e : outs.entrySet()) {
            OnnxTensor t = e.getValue();
            entries.put(e.getKey(), switch (t.type()) {
                case FLOAT -> Safetensors.Entry.of(t.tensor());
                case INT64 -> Safetensors.Entry.ofLongs(t.longs(), t.shape());
                default -> throw new IOException(file + ": output '" + e.getKey() + "' is " + t.type()
                        + "; run writes FLOAT and INT64 outputs only");
            });
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", file.getFileName() + " (ONNX graph)");
        Safetensors.writeEntries(output, entries, meta);
        System.out.println("wrote " + outs.entrySet().stream()
                .map(e -> e.getKey() + " " + Shape.toString(e.getValue().shape()))
                .collect(java.util.stream.Collectors.joining(", ")) + " to " + output);
        OnnxTensor first = outs.values().iterator().next();
        if (first.type() == OnnxTensor.DataType.FLOAT && first.rank() == 2) {
            printTop1(first.tensor());
        }
        return 0;
    }

    private static void printTop1(Tensor scores) {
        for (int i = 0; i < scores.dim(0); i++) {
            System.out.println("  image " + i + ": top-1 class " + argmax(scores, i));
        }
    }

    /** The tensor named {@code --input-tensor}; with {@code images}, it must be a batch [N,3,H,W]. */
    private Tensor readInput(boolean images) throws IOException {
        SafetensorsFile in = Safetensors.read(input);
        if (!in.contains(inputName)) {
            throw new IOException(input + ": no tensor named '" + inputName + "' (found " + in.names() + ")");
        }
        Tensor x = in.tensor(inputName);
        if (images && (x.rank() != 4 || x.dim(1) != 3)) {
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
