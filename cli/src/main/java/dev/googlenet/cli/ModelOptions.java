package dev.googlenet.cli;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Variant;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a command's model comes from: {@code --model FILE} (ONNX, a safetensors file we wrote, which carries its
 * variant and preprocessing, or a training run folder), or {@code --weights FILE --variant V} (a
 * torchvision-layout state dict). Loading is {@link Models}'; this class only maps the options onto it. The
 * preprocessing travels with the model; {@code --preprocess} overrides it explicitly, never silently.
 */
final class ModelOptions {

    @Option(names = "--model", description = "an ONNX file, a safetensors file written by googlenet (export/train), "
            + "or a training run folder")
    Path model;

    @Option(names = "--weights", description = "a state dict as safetensors, torchvision parameter names")
    Path weights;

    @Option(names = "--variant", description = "paper or torchvision (with --weights)")
    String variant;

    @Option(names = "--preprocess", description = "override the model's preprocessing: torchvision, "
            + "torchvision-pretrained (torchvision's pretrained GoogLeNet: mean/std 0.5) or caffe")
    String preprocess;

    /** The loaded model as the commands use it. */
    record Loaded(LoadedModel model) {
        /** Logits for a preprocessed batch. */
        ImageClassifier.Model logits() {
            return model::logits;
        }

        Preprocess preprocess() {
            return model.preprocess();
        }

        /** Our GoogLeNet, or null for an ONNX graph of another shape. */
        GoogLeNet googLeNet() {
            return model.googLeNet().orElse(null);
        }

        String description() {
            return model.description();
        }

        List<String> labels() {
            return model.classNames();
        }

        int inputChannels() {
            return model.inputChannels();
        }

        /** A classifier for this model with its class names and input channels. */
        ImageClassifier classifier(int batch) {
            return model.classifier(batch);
        }

        /** This model without its definition, for commands that only run it (its weights can be collected). */
        Loaded inferenceOnly() {
            return new Loaded(model.inferenceOnly());
        }
    }

    /** The ONNX file given with {@code --model}, or null when the model comes from anything else. */
    Path onnxModel() {
        if (model != null && weights != null) {
            throw new IllegalArgumentException("give either --model or --weights, not both");
        }
        return model != null && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx") ? model
                : null;
    }

    Loaded load() throws IOException {
        if (model != null && weights != null) {
            throw new IllegalArgumentException("give either --model or --weights, not both");
        }
        if (model == null && weights == null) {
            throw new IllegalArgumentException("no model: give --model FILE (.onnx or .safetensors) or --weights FILE --variant V");
        }
        if (weights != null && variant == null) {
            throw new IllegalArgumentException("--weights needs --variant paper|torchvision");
        }
        // a misspelt --preprocess fails before a large model is read
        Preprocess override = preprocess != null ? parsePreprocess(preprocess) : null;
        Path file = model != null ? model : weights;
        LoadedModel loaded;
        try {
            loaded = variant == null ? Models.load(file) : Models.load(file, Variant.parse(variant));
        } catch (Models.MissingVariantException e) {
            throw missingVariant(e);
        }
        if (override != null) {
            loaded = loaded.withPreprocess(override);
        }
        return new Loaded(loaded);
    }

    static Preprocess parsePreprocess(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "torchvision" -> Preprocess.TORCHVISION;
            case "torchvision-pretrained" -> Preprocess.TORCHVISION_GOOGLENET_PRETRAINED;
            case "caffe" -> Preprocess.CAFFE;
            default -> throw new IllegalArgumentException("unknown --preprocess '" + s
                    + "': use torchvision, torchvision-pretrained or caffe");
        };
    }

    /** A state dict that names no variant, loaded without --variant: what to add (every command says it so). */
    static IOException missingVariant(Models.MissingVariantException e) {
        return new IOException(e.file() + ": no variant in its metadata; add --variant paper|torchvision", e);
    }
}
