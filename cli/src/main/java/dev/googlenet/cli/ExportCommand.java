package dev.googlenet.cli;

import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.onnx.OnnxExporter;
import dev.googlenet.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Write a model as ONNX (inference graph: aux heads removed, BatchNorm folded "
        + "unless --keep-bn) and/or as safetensors with its variant and preprocessing.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--onnx", description = "ONNX file to write")
    Path onnx;

    @Option(names = "--safetensors", description = "safetensors file to write (weights + configuration, class "
            + "names, variant and preprocessing)")
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
        // class names travel with the model, when there is one per class (ImageNet's for a 1000-class model that
        // named none)
        List<String> names = loaded.labels().size() == model.config().numClasses() ? loaded.labels() : List.of();
        if (onnx != null) {
            OnnxExporter.Options d = OnnxExporter.Options.defaults();
            OnnxExporter.export(model, loaded.preprocess(), names, onnx,
                    new OnnxExporter.Options(opset, !keepBn, d.style(), d.inputSize(), d.probabilities()));
            System.out.println("wrote " + onnx);
        }
        if (safetensors != null) {
            // what a training run's weight file holds (configuration: small input, width, channels; class names;
            // preprocessing), so that the file loads as the same model anywhere; the variant too, for other tools
            Map<String, String> meta = Checkpoints.weightsMetadata(model.config(), names, loaded.preprocess(), "raw",
                    0);
            if (names.isEmpty()) {
                meta.remove(Checkpoints.META_CLASSES);
            }
            meta.put(StateDicts.VARIANT_KEY, model.config().variant().name().toLowerCase(Locale.ROOT));
            StateDicts.save(safetensors, model, meta);
            System.out.println("wrote " + safetensors);
        }
        return 0;
    }
}
