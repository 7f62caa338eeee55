package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.Preprocess;
import dev.googlenet.io.AtomicWrite;
import dev.googlenet.io.Failures;
import dev.googlenet.io.FileFields;
import dev.googlenet.io.Limits;
import dev.googlenet.io.OneLine;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a training run writes, and loading a trained model back.
 *
 * <p>A run folder holds {@code checkpoint.json} (the commit point: configuration, epoch, step, seeds, history and
 * the names of the tensor files of that epoch with their sizes and SHA-256, read back by {@link Checkpoint}),
 * {@code weights-epochNNN.safetensors} (the model's state dict with
 * torchvision-style names), {@code ema-epochNNN.safetensors} (the Polyak average, when on) and
 * {@code optimizer-epochNNN.safetensors} (SGD momentum buffers under the parameters' names). The weight files
 * carry their model configuration, class names and preprocessing in their metadata, so each loads on its own.
 */
public final class Checkpoints {
    public static final String JSON = "checkpoint.json";
    public static final String FORMAT = "googlenet-training-checkpoint";
    /** Metadata keys of weight files. */
    public static final String META_CONFIG = "googlenet.config";
    public static final String META_CLASSES = "googlenet.classes";
    public static final String META_WEIGHTS = "googlenet.weights";
    public static final String META_EPOCH = "googlenet.epoch";

    /** The narrowest width multiplier a file may ask for (every layer then has 1 channel). */
    static final double MIN_WIDTH = 1.0 / 1024;

    /** A checkpoint.json of 100,000 epochs' history is a few tens of megabytes. */
    static final long MAX_JSON_BYTES = 256L << 20;
    /** Longest {@code googlenet.weights} label. */
    static final int MAX_WEIGHTS_LABEL = 40;

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {
    }

    public static ObjectNode modelConfigToJson(GoogLeNetConfig c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("variant", c.variant().name().toLowerCase(java.util.Locale.ROOT));
        o.put("num_classes", c.numClasses());
        o.put("aux_heads", c.auxHeads());
        o.put("dropout", c.dropout());
        o.put("aux_dropout", c.auxDropout());
        o.put("seed", c.seed());
        o.put("input_channels", c.inputChannels());
        o.put("width", c.width());
        o.put("small_input", c.smallInput());
        o.put("batch_norm", c.batchNorm());
        return o;
    }

    /** The model configuration of a checkpoint ({@code "model"}), read as {@link #modelConfig} does. */
    public static GoogLeNetConfig modelConfigFromJson(JsonNode o) throws IOException {
        return modelConfig(FileFields.of(JSON, "model", o));
    }

    /**
     * A model configuration read from a file: each field typed and in range, and the model it makes small enough
     * to build ({@link Limits#checkModelSize}) — all before anything is allocated.
     */
    public static GoogLeNetConfig modelConfig(FileFields o) throws IOException {
        List<String> variants = java.util.Arrays.stream(Variant.values())
                .map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList();
        Variant variant = Variant.parse(o.choice("variant", variants));
        int classes = o.integer("num_classes", 1, Limits.MAX_CLASSES);
        boolean aux = o.bool("aux_heads");
        double below1 = Math.nextDown(1.0);
        double dropout = o.number("dropout", 0, below1);
        double auxDropout = o.number("aux_dropout", 0, below1);
        long seed = o.longInteger("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        int channels = o.integer("input_channels", 1, Limits.MAX_INPUT_CHANNELS, 3);
        double width = o.number("width", MIN_WIDTH, Limits.MAX_WIDTH, 1);
        boolean small = o.bool("small_input", false);
        boolean batchNorm = o.bool("batch_norm", variant.batchNorm());
        Limits.checkModelSize(o.file(), "this configuration", width, classes, channels, aux, small);
        return GoogLeNetConfig.builder().setVariant(variant).optNumClasses(classes).optAuxHeads(aux)
                .optDropout((float) dropout).optAuxDropout((float) auxDropout).optSeed(seed)
                .optInputChannels(channels).optWidth((float) width).optSmallInput(small).optBatchNorm(batchNorm)
                .build();
    }

    /** Metadata for a weight file: configuration, classes, preprocessing, which weights and which epoch. */
    public static Map<String, String> weightsMetadata(GoogLeNetConfig config, List<String> classes,
                                                      Preprocess preprocess, String weights, int epoch) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_CONFIG, modelConfigToJson(config).toString());
        ArrayNode names = JsonNodeFactory.instance.arrayNode();
        classes.forEach(names::add);
        m.put(META_CLASSES, names.toString());
        m.put(META_WEIGHTS, weights);
        m.put(META_EPOCH, Integer.toString(epoch));
        if (preprocess != null) {
            m.putAll(preprocess.toMetadata());
        }
        return m;
    }

    /** Writes JSON to a temporary file beside {@code file}, syncs it and renames it over {@code file}. */
    public static void writeJsonAtomically(Path file, JsonNode node) throws IOException {
        writeAtomically(file, MAPPER.writeValueAsString(node) + "\n");
    }

    /** Writes text to a temporary file beside {@code file}, syncs it and renames it over {@code file}. */
    public static void writeAtomically(Path file, String text) throws IOException {
        AtomicWrite.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A JSON file of a run (checkpoint, metrics), at most {@link #MAX_JSON_BYTES}. Whatever is wrong with its
     * bytes — bad syntax, an encoding Jackson guesses and then fails on — is one line naming the file.
     */
    public static JsonNode readJson(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_JSON_BYTES) {
            throw new IOException(file + ": " + size + " bytes; allowed: at most " + MAX_JSON_BYTES
                    + " for a run's JSON file");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(OneLine.of(file + ": not valid JSON: " + e.getOriginalMessage()), e);
        } catch (IOException e) { // from the bytes alone (an invalid UTF-32 character, say), not from a file
            throw new IOException(OneLine.of(file + ": not valid JSON: " + Failures.describe(e)), e);
        }
    }

    /** The checkpoint JSON of a run folder (or the file itself), checked against its schema ({@link Checkpoint}). */
    public static JsonNode readCheckpoint(Path dirOrFile) throws IOException {
        return Checkpoint.read(dirOrFile).json();
    }

    /**
     * A trained model, ready for inference.
     *
     * @param preprocess how images become its input (null when the weights do not say); for a one-channel model
     *                   convert images to gray and use the first mean and std
     * @param weights    "ema" (Polyak average) or "raw"
     * @param file       the weight file loaded
     */
    public record TrainedModel(GoogLeNet model, GoogLeNetConfig config, List<String> classes, Preprocess preprocess,
                               String weights, int epoch, Path file) {
    }

    /**
     * Loads a model trained by {@link Trainer}: {@code path} is a run folder or its {@code checkpoint.json}
     * (the Polyak-averaged weights are taken when there are some and {@code preferEma}), or a weight file
     * written by the trainer (its metadata describes the model).
     */
    public static TrainedModel load(Path path, boolean preferEma) throws IOException {
        Path weightsFile;
        if (Files.isDirectory(path) || path.getFileName().toString().endsWith(".json")) {
            Checkpoint ck = Checkpoint.read(path);
            String name = preferEma && ck.ema() != null ? ck.ema() : ck.weights();
            ck.verify(List.of(name));
            weightsFile = ck.folder().resolve(name);
        } else {
            weightsFile = path;
        }
        SafetensorsFile st = Safetensors.read(weightsFile);
        Map<String, String> meta = st.metadata();
        String file = weightsFile.toString();
        String configJson = meta.get(META_CONFIG);
        if (configJson == null) {
            throw new IOException(file + ": no " + META_CONFIG + " metadata (not written by googlenet train;"
                    + " load plain state dicts with StateDicts.load)");
        }
        GoogLeNetConfig config = modelConfig(FileFields.parse(file, META_CONFIG, configJson));
        List<String> classes = new ArrayList<>(meta.containsKey(META_CLASSES)
                ? FileFields.stringArray(file, META_CLASSES, meta.get(META_CLASSES), config.numClasses(),
                        Limits.MAX_CLASS_NAME)
                : List.of());
        while (classes.size() < config.numClasses()) { // at most MAX_CLASSES: the configuration was checked
            classes.add(Integer.toString(classes.size()));
        }
        int epoch = (int) FileFields.integerText(file, META_EPOCH, meta.getOrDefault(META_EPOCH, "0"), 0,
                Limits.MAX_EPOCHS);
        String weights = meta.getOrDefault(META_WEIGHTS, "raw");
        if (weights.isEmpty() || weights.length() > MAX_WEIGHTS_LABEL) { // a label ("raw", "ema"), printed as is
            throw FileFields.problem(file, META_WEIGHTS, '"' + weights + '"', "a label of 1 to " + MAX_WEIGHTS_LABEL
                    + " characters, such as raw or ema");
        }
        weights = OneLine.of(weights);
        Preprocess preprocess;
        try {
            preprocess = Preprocess.fromMetadata(meta);
        } catch (IllegalArgumentException e) {
            throw new IOException(OneLine.of(file + ": " + e.getMessage()), e);
        }
        GoogLeNet model = new GoogLeNet(config);
        try {
            model.loadStateDict(StateDicts.tensors(st));
        } catch (IllegalArgumentException e) {
            throw new IOException(OneLine.of(file + ": " + e.getMessage()), e);
        }
        return new TrainedModel(model, config, List.copyOf(classes), preprocess, weights, epoch, weightsFile);
    }
}
