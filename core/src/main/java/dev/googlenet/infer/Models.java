package dev.googlenet.infer;

import dev.googlenet.data.Preprocess;
import dev.googlenet.io.FileFields;
import dev.googlenet.io.Limits;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.onnx.ImportedModel;
import dev.googlenet.onnx.OnnxImporter;
import dev.googlenet.onnx.OnnxModel;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry point that loads any model file this project reads into a {@link LoadedModel}: the model, its
 * compiled plan, its preprocessing and its class names.
 *
 * <ul>
 *   <li>{@code .onnx}: any GoogLeNet-family graph (mapped onto our GoogLeNet when it is one, else run as a
 *       graph); preprocessing and class names from its {@code metadata_props} when present;</li>
 *   <li>{@code .safetensors} written here ({@code googlenet export}, the weight files of a training run): they
 *       carry their variant (or whole configuration), preprocessing and class names;</li>
 *   <li>a training run folder (or its {@code checkpoint.json}): the model of its last epoch, the Polyak-averaged
 *       weights when the run kept them (as {@code googlenet eval --checkpoint} does; point at its
 *       {@code weights-epochNNN.safetensors} for the raw ones);</li>
 *   <li>a torchvision state dict saved as safetensors, with {@link #load(Path, Variant)}.</li>
 * </ul>
 *
 * Class names come from the file; without them a 1000-class model gets ImageNet's (torchvision's order) and any
 * other model "class 0", "class 1", …. Preprocessing comes from the file; without it a paper (Caffe) model gets
 * {@link Preprocess#CAFFE} and a torchvision one {@link Preprocess#TORCHVISION}. Override it explicitly with
 * {@link LoadedModel#withPreprocess}.
 *
 * <p>Every failure is an {@link IOException} whose message is one line naming the file and the problem.
 */
public final class Models {
    /** Features the classifier of a width-1 GoogLeNet reads (inception5b's channels). */
    private static final int FEATURES = 1024;

    private Models() {
    }

    /**
     * A state dict without a variant in its metadata, loaded without one: the caller has to say which
     * architecture its weights belong to ({@link #load(Path, Variant)}).
     */
    public static final class MissingVariantException extends IOException {
        private final transient Path file;

        MissingVariantException(Path file) {
            super(file + ": no variant in its metadata (" + StateDicts.VARIANT_KEY + "); load it with its variant, "
                    + "Models.load(file, Variant.TORCHVISION or Variant.PAPER)");
            this.file = file;
        }

        /** The file, as given. */
        public Path file() {
            return file;
        }
    }

    /** Loads an ONNX file, a safetensors file written here, or a training run folder (see the class comment). */
    public static LoadedModel load(Path file) throws IOException {
        return load(file, null, true);
    }

    /**
     * Loads a state dict with torchvision's parameter names (safetensors) as the given variant; the variant wins
     * over one in the file's metadata. The number of classes and whether there are aux heads come from its
     * tensors. A weight file of a training run loads too when {@code variant} is the one it was trained as.
     */
    public static LoadedModel load(Path stateDict, Variant variant) throws IOException {
        return load(stateDict, java.util.Objects.requireNonNull(variant, "variant"), false);
    }

    /**
     * A model in memory (one just trained, say), compiled as its weights are now: later training does not reach
     * the result; call again.
     */
    public static LoadedModel of(GoogLeNet model, Preprocess preprocess, List<String> classNames) {
        int classes = model.config().numClasses();
        if (classNames.size() != classes) {
            throw new IllegalArgumentException(classNames.size() + " class names for a model with " + classes
                    + " classes");
        }
        return new LoadedModel(model, preprocess, classNames, "GoogLeNet (" + name(model.config().variant()) + ", "
                + classes + " classes)");
    }

    /** {@link #of(GoogLeNet, Preprocess, List)} with the default class names ({@link #defaultClassNames}). */
    public static LoadedModel of(GoogLeNet model, Preprocess preprocess) {
        return of(model, preprocess, defaultClassNames(model.config().numClasses()));
    }

    /** ImageNet's 1000 names for a 1000-class model; "class 0", "class 1", … otherwise. */
    public static List<String> defaultClassNames(int numClasses) {
        if (numClasses == 1000) {
            return ImageClassifier.imagenetLabels();
        }
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            names.add("class " + i);
        }
        return List.copyOf(names);
    }

    private static LoadedModel load(Path file, Variant variant, boolean variantOptional) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such file or folder");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (Files.isDirectory(file)) {
                if (!Files.isRegularFile(file.resolve(Checkpoints.JSON))) {
                    throw new IOException(file + ": a folder without " + Checkpoints.JSON + ", so not a training "
                            + "run (give a run folder, an .onnx file or a .safetensors file)");
                }
                return fromRun(file, variant);
            }
            if (name.endsWith(".onnx")) {
                if (variant != null) {
                    throw new IOException(file + ": an ONNX graph defines its own architecture; load it without a "
                            + "variant");
                }
                return fromOnnx(file);
            }
            if (name.endsWith(".json")) {
                return fromRun(file, variant);
            }
            if (name.endsWith(".safetensors") || looksLikeSafetensors(file)) {
                return fromSafetensors(file, variant);
            }
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // a reader below that reports a value without the file (malformed metadata, say): add it
            String m = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            throw new IOException(file + ": " + m, e);
        }
        String hint = name.endsWith(".pt") || name.endsWith(".pth")
                ? " (PyTorch pickles are not read: save the state dict with safetensors.torch.save_file)" : "";
        throw new IOException(file + ": not a model file: expected an .onnx or .safetensors file, or a training "
                + "run folder with " + Checkpoints.JSON + hint);
    }

    /** A safetensors file starts with its header's length (8 bytes, little-endian), then the JSON header. */
    private static boolean looksLikeSafetensors(Path file) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 9);
        }
        if (n < 9) {
            return false;
        }
        long length = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return length > 1 && length <= Safetensors.MAX_HEADER_BYTES && head[8] == '{';
    }

    private static LoadedModel fromRun(Path run, Variant variant) throws IOException {
        Checkpoints.TrainedModel t = Checkpoints.load(run, true);
        checkVariant(run, t.config(), variant);
        String what = Files.isDirectory(run) ? run.getFileName() + "" : t.file().getFileName() + "";
        return trained(t, what + " (trained, epoch " + t.epoch() + ", " + t.weights() + " weights)");
    }

    private static LoadedModel trained(Checkpoints.TrainedModel t, String description) {
        Preprocess p = t.preprocess() != null ? t.preprocess() : defaultPreprocess(t.config().variant());
        return new LoadedModel(t.model(), p, t.classes(), description);
    }

    private static void checkVariant(Path file, GoogLeNetConfig config, Variant variant) throws IOException {
        if (variant != null && variant != config.variant()) {
            throw new IOException(file + ": holds a " + name(config.variant()) + " GoogLeNet (its "
                    + Checkpoints.META_CONFIG + " metadata), not " + name(variant));
        }
    }

    private static LoadedModel fromOnnx(Path file) throws IOException {
        ImportedModel imported = OnnxImporter.importModel(file);
        String name = file.getFileName().toString();
        GoogLeNet g = imported.googLeNet();
        if (g != null) {
            List<String> names = imported.classNames().isEmpty() ? defaultClassNames(g.config().numClasses())
                    : imported.classNames(); // the importer read and checked them
            Preprocess preprocess = imported.preprocess();
            imported = null; // the graph's own copy of the weights can go before the plan makes another
            return new LoadedModel(g, preprocess, names, name + " (GoogLeNet, " + name(g.config().variant()) + ")");
        }
        // not a GoogLeNet our model can hold: run the graph as it is
        OnnxModel graph = imported.runner().model();
        long[] out = graph.graph().outputs().getFirst().dims();
        int classes = out != null && out.length == 2 && out[1] > 0 && out[1] <= Integer.MAX_VALUE ? (int) out[1] : -1;
        List<String> names = !imported.classNames().isEmpty() ? imported.classNames()
                : defaultClassNames(classes < 0 ? 1000 : classes);
        if (classes > 0 && names.size() != classes) { // the importer checks GoogLeNets only
            throw new IOException(file + ": " + Checkpoints.META_CLASSES + " metadata names " + names.size()
                    + " classes, the model has " + classes);
        }
        ImportedModel runner = imported;
        ImageClassifier.Model run = batch -> {
            try {
                return asLogits(runner.forward(batch));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new LoadedModel(run, imported.notGoogLeNet(), imported.preprocess(), names,
                imported.inputShape()[1], name + " (ONNX graph)");
    }

    /**
     * The file's class names ({@code googlenet.classes}: a JSON array, the key our weight files use), else the
     * defaults; {@code classes} −1: not known before running (then ImageNet's unless the file names them).
     */
    private static List<String> classNames(Path file, Map<String, String> metadata, int classes) throws IOException {
        String json = metadata.get(Checkpoints.META_CLASSES);
        if (json == null) {
            return defaultClassNames(classes < 0 ? 1000 : classes);
        }
        List<String> names = FileFields.stringArray(file.toString(), Checkpoints.META_CLASSES, json,
                classes < 0 ? Limits.MAX_CLASSES : classes, Limits.MAX_CLASS_NAME);
        if (classes >= 0 && names.size() != classes) {
            throw new IOException(file + ": " + Checkpoints.META_CLASSES + " metadata names " + names.size()
                    + " classes, the model has " + classes);
        }
        return names;
    }

    private static LoadedModel fromSafetensors(Path file, Variant given) throws IOException {
        SafetensorsFile st = Safetensors.read(file);
        Map<String, String> meta = st.metadata();
        if (meta.containsKey(Checkpoints.META_CONFIG)) { // written by training: it knows its whole model
            Checkpoints.TrainedModel t = Checkpoints.load(file, true);
            checkVariant(file, t.config(), given);
            return trained(t, file.getFileName() + " (trained, epoch " + t.epoch() + ")");
        }
        String v = given != null ? given.name() : meta.get(StateDicts.VARIANT_KEY);
        if (v == null) {
            throw new MissingVariantException(file);
        }
        Variant variant = Variant.parse(v);
        Map<String, Tensor> state = StateDicts.tensors(st);
        Tensor fc = state.get("fc.weight");
        if (fc == null || fc.rank() != 2) {
            throw new IOException(file + ": no classifier weight 'fc.weight' [classes,1024]");
        }
        if (fc.dim(0) < 1 || fc.dim(0) > Limits.MAX_CLASSES || fc.dim(1) != FEATURES) {
            throw FileFields.problem(file.toString(), "fc.weight's shape", java.util.Arrays.toString(fc.shape()),
                    "[classes, " + FEATURES + "] with 1 to " + Limits.MAX_CLASSES + " classes");
        }
        boolean aux = state.keySet().stream().anyMatch(k -> k.startsWith("aux"));
        Preprocess p = Preprocess.fromMetadata(meta);
        List<String> names = classNames(file, meta, fc.dim(0));
        Limits.checkModelSize(file.toString(), "fc.weight " + java.util.Arrays.toString(fc.shape()), 1, fc.dim(0),
                3, aux, false);
        GoogLeNet g = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optNumClasses(fc.dim(0))
                .optAuxHeads(aux).build());
        try {
            g.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return new LoadedModel(g, p != null ? p : defaultPreprocess(variant), names,
                file.getFileName() + " (" + name(variant) + ")");
    }

    private static Preprocess defaultPreprocess(Variant variant) {
        return variant == Variant.PAPER ? Preprocess.CAFFE : Preprocess.TORCHVISION;
    }

    private static String name(Variant v) {
        return v.name().toLowerCase(Locale.ROOT);
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
}
