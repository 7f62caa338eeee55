package dev.googlenet.cli;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.onnx.ImportedModel;
import dev.googlenet.onnx.OnnxImporter;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where a command's model comes from: {@code --model FILE} (ONNX, or a safetensors file we wrote, which carries
 * its variant and preprocessing), or {@code --weights FILE --variant V} (a torchvision-layout state dict).
 * The preprocessing travels with the model; {@code --preprocess} overrides it explicitly, never silently.
 */
final class ModelOptions {

    @Option(names = "--model", description = "an ONNX file, or a safetensors file written by googlenet (export/train)")
    Path model;

    @Option(names = "--weights", description = "a state dict as safetensors, torchvision parameter names")
    Path weights;

    @Option(names = "--variant", description = "paper or torchvision (with --weights)")
    String variant;

    @Option(names = "--preprocess", description = "override the model's preprocessing: torchvision, "
            + "torchvision-pretrained (torchvision's pretrained GoogLeNet: mean/std 0.5) or caffe")
    String preprocess;

    /** A model ready to classify: logits for a preprocessed batch, its preprocessing, and our GoogLeNet if any. */
    record Loaded(ImageClassifier.Model logits, Preprocess preprocess, GoogLeNet googLeNet, String description,
                  java.util.List<String> labels, int inputChannels) {
        Loaded(ImageClassifier.Model logits, Preprocess preprocess, GoogLeNet googLeNet, String description) {
            this(logits, preprocess, googLeNet, description, ImageClassifier.imagenetLabels(), 3);
        }

        /** A classifier for this model with its class names and input channels. */
        ImageClassifier classifier(int batch) {
            return new ImageClassifier(logits, preprocess, labels, batch, inputChannels);
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
        Loaded loaded;
        if (model != null && weights != null) {
            throw new IllegalArgumentException("give either --model or --weights, not both");
        }
        if (model != null) {
            String name = model.getFileName().toString().toLowerCase(Locale.ROOT);
            loaded = name.endsWith(".onnx") ? fromOnnx(model) : fromSafetensors(model, variant);
        } else if (weights != null) {
            if (variant == null) {
                throw new IllegalArgumentException("--weights needs --variant paper|torchvision");
            }
            loaded = fromSafetensors(weights, variant);
        } else {
            throw new IllegalArgumentException("no model: give --model FILE (.onnx or .safetensors) or --weights FILE --variant V");
        }
        if (preprocess != null) {
            loaded = new Loaded(loaded.logits(), parsePreprocess(preprocess), loaded.googLeNet(), loaded.description(),
                    loaded.labels(), loaded.inputChannels());
        }
        return loaded;
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

    private static Loaded fromOnnx(Path file) throws IOException {
        ImportedModel imported = OnnxImporter.importModel(file);
        // the file's own class names when it carries them (files we export do), else ImageNet's
        java.util.List<String> labels = imported.classNames().isEmpty() ? ImageClassifier.imagenetLabels()
                : imported.classNames();
        if (imported.googLeNet() != null) {
            GoogLeNet g = imported.googLeNet();
            return new Loaded(g::forward, imported.preprocess(), g, file.getFileName() + " (GoogLeNet, "
                    + g.config().variant().name().toLowerCase(Locale.ROOT) + ")", labels, 3);
        }
        // not a GoogLeNet our model can hold: run the graph as it is
        ImageClassifier.Model run = batch -> {
            try {
                return asLogits(imported.forward(batch));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new Loaded(run, imported.preprocess(), null, file.getFileName() + " (ONNX graph)", labels, 3);
    }

    /** A graph that ends in Softmax gives probabilities; log turns them back into logits for the classifier. */
    static Tensor asLogits(Tensor out) {
        float[] d = out.data();
        int classes = out.dim(1);
        for (int r = 0; r < out.dim(0); r++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                float v = d[r * classes + c];
                if (v < 0 || v > 1) {
                    return out;
                }
                sum += v;
            }
            if (Math.abs(sum - 1) > 1e-3) {
                return out;
            }
        }
        Tensor logits = Tensor.zerosLike(out);
        for (int i = 0; i < d.length; i++) {
            logits.data()[i] = (float) Math.log(Math.max(d[i], 1e-30f));
        }
        return logits;
    }

    private static Loaded fromSafetensors(Path file, String variantName) throws IOException {
        SafetensorsFile st = Safetensors.read(file);
        Map<String, String> meta = st.metadata();
        if (meta.containsKey(Checkpoints.META_CONFIG)) { // written by googlenet train: it knows its whole model
            Checkpoints.TrainedModel t = Checkpoints.load(file, true);
            GoogLeNet g = t.model();
            return new Loaded(g::forward, t.preprocess(), g, file.getFileName() + " (trained, epoch " + t.epoch() + ")",
                    t.classes(), t.config().inputChannels());
        }
        String v = variantName != null ? variantName : meta.get(StateDicts.VARIANT_KEY);
        if (v == null) {
            throw new IOException(file + ": no variant in its metadata; add --variant paper|torchvision");
        }
        Variant variant = Variant.parse(v);
        Map<String, Tensor> state = StateDicts.tensors(st);
        Tensor fc = state.get("fc.weight");
        if (fc == null || fc.rank() != 2) {
            throw new IOException(file + ": no classifier weight 'fc.weight' [classes,1024]");
        }
        GoogLeNet g = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optNumClasses(fc.dim(0))
                .optAuxHeads(state.keySet().stream().anyMatch(k -> k.startsWith("aux"))).build());
        try {
            g.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Preprocess p = Preprocess.fromMetadata(meta);
        if (p == null) {
            p = variant == Variant.PAPER ? Preprocess.CAFFE : Preprocess.TORCHVISION;
        }
        return new Loaded(g::forward, p, g, file.getFileName() + " (" + variant.name().toLowerCase(Locale.ROOT) + ")");
    }
}
