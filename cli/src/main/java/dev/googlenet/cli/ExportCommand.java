package dev.googlenet.cli;

import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.onnx.OnnxExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Write a model as ONNX (inference graph: aux heads removed, BatchNorm folded "
        + "unless --keep-bn) and/or as safetensors with its variant and preprocessing.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--onnx", description = "ONNX file to write")
    Path onnx;

    @Option(names = "--safetensors", description = "safetensors file to write (weights + variant + preprocessing)")
    Path safetensors;

    @Option(names = "--opset", defaultValue = "13", description = "ONNX opset, 3–13 (default: ${DEFAULT-VALUE})")
    int opset;

    @Option(names = "--keep-bn", description = "keep BatchNormalization nodes instead of folding them into Conv")
    boolean keepBn;

    @Override
    public Integer call() throws IOException {
        if (onnx == null && safetensors == null) {
            throw new IllegalArgumentException("nothing to write: give --onnx OUT and/or --safetensors OUT");
        }
        ModelOptions.Loaded loaded = modelOptions.load();
        GoogLeNet model = loaded.googLeNet();
        if (model == null) {
            throw new IOException(loaded.description() + " is not a GoogLeNet our model can hold, so it cannot be exported");
        }
        if (onnx != null) {
            OnnxExporter.Options d = OnnxExporter.Options.defaults();
            // class names travel with the model, when there is one per class (ImageNet's for a 1000-class model
            // that named none)
            java.util.List<String> names = loaded.labels().size() == model.config().numClasses() ? loaded.labels()
                    : java.util.List.of();
            OnnxExporter.export(model, loaded.preprocess(), names, onnx,
                    new OnnxExporter.Options(opset, !keepBn, d.style(), d.inputSize(), d.probabilities()));
            System.out.println("wrote " + onnx);
        }
        if (safetensors != null) {
            StateDicts.save(safetensors, model, loaded.preprocess());
            System.out.println("wrote " + safetensors);
        }
        return 0;
    }
}
