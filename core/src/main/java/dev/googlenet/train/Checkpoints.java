package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.Preprocess;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The files a training run writes, and loading a trained model back.
 *
 * <p>A run folder holds {@code checkpoint.json} (the commit point: configuration, epoch, step, seeds, history and
 * the names of the tensor files of that epoch), {@code weights-epochNNN.safetensors} (the model's state dict with
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

    public static GoogLeNetConfig modelConfigFromJson(JsonNode o) {
        return GoogLeNetConfig.builder().setVariant(Variant.parse(o.get("variant").asText()))
                .optNumClasses(o.get("num_classes").asInt()).optAuxHeads(o.get("aux_heads").asBoolean())
                .optDropout((float) o.get("dropout").asDouble()).optAuxDropout((float) o.get("aux_dropout").asDouble())
                .optSeed(o.get("seed").asLong()).optInputChannels(o.path("input_channels").asInt(3))
                .optWidth((float) o.path("width").asDouble(1)).optSmallInput(o.path("small_input").asBoolean(false))
                .optBatchNorm(o.path("batch_norm").asBoolean(Variant.parse(o.get("variant").asText()).batchNorm()))
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
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                var buf = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    public static JsonNode readJson(Path file) throws IOException {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The checkpoint JSON of a run folder (or the file itself), checked for its format. */
    public static JsonNode readCheckpoint(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(JSON) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no checkpoint (" + JSON + " is written after each epoch)");
        }
        JsonNode node = readJson(file);
        if (!FORMAT.equals(node.path("format").asText())) {
            throw new IOException(file + ": not a training checkpoint (no \"format\": \"" + FORMAT + "\")");
        }
        return node;
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
            JsonNode ck = readCheckpoint(path);
            Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            JsonNode files = ck.get("files");
            String name = preferEma && files.hasNonNull("ema") ? files.get("ema").asText()
                    : files.get("weights").asText();
            weightsFile = dir.resolve(name);
        } else {
            weightsFile = path;
        }
        SafetensorsFile st = Safetensors.read(weightsFile);
        Map<String, String> meta = st.metadata();
        String configJson = meta.get(META_CONFIG);
        if (configJson == null) {
            throw new IOException(weightsFile + ": no " + META_CONFIG + " metadata (not written by googlenet train;"
                    + " load plain state dicts with StateDicts.load)");
        }
        GoogLeNetConfig config;
        List<String> classes = new ArrayList<>();
        try {
            config = modelConfigFromJson(MAPPER.readTree(configJson));
            JsonNode names = meta.containsKey(META_CLASSES) ? MAPPER.readTree(meta.get(META_CLASSES)) : null;
            if (names != null) {
                names.forEach(n -> classes.add(n.asText()));
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(weightsFile + ": malformed " + META_CONFIG + " metadata: " + e.getMessage(), e);
        }
        while (classes.size() < config.numClasses()) {
            classes.add(Integer.toString(classes.size()));
        }
        GoogLeNet model = new GoogLeNet(config);
        try {
            model.loadStateDict(StateDicts.tensors(st));
        } catch (IllegalArgumentException e) {
            throw new IOException(weightsFile + ": " + e.getMessage(), e);
        }
        return new TrainedModel(model, config, List.copyOf(classes), Preprocess.fromMetadata(meta),
                meta.getOrDefault(META_WEIGHTS, "raw"), Integer.parseInt(meta.getOrDefault(META_EPOCH, "0")),
                weightsFile);
    }
}
