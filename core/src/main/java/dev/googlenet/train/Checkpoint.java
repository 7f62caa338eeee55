package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.io.FileFields;
import dev.googlenet.io.Limits;
import dev.googlenet.model.GoogLeNetConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code checkpoint.json}, read and checked against its schema before any of it is used: every field the
 * program reads is present, typed and in range (see {@link FileFields}), the tensor files it names are plain
 * names inside the run folder, and (version 2 on) each has a recorded size and SHA-256 that {@link #verify}
 * checks. Version 1 checkpoints (written before the checksums) still load, unverified.
 *
 * @param file      the checkpoint.json read
 * @param version   1 (no checksums) or 2
 * @param epoch     epochs completed
 * @param step      optimizer steps taken
 * @param model     the model's configuration, checked against {@link Limits}
 * @param weights   file name of the raw weights
 * @param ema       file name of the Polyak average, or null
 * @param optimizer file name of the momentum buffers
 * @param json      the whole checkpoint (its parts other readers take: training, data, history…)
 */
public record Checkpoint(Path file, int version, int epoch, long step, GoogLeNetConfig model, String weights,
                         String ema, String optimizer, JsonNode json) {
    /** The version this code writes. */
    public static final int VERSION = 2;
    /** Optimizer steps: far more than any run takes, far below where a long's arithmetic could overflow. */
    static final long MAX_STEP = 1L << 48;

    /** The tensor files of the checkpoint: weights, optimizer and (when kept) the average. */
    public List<String> files() {
        List<String> out = new ArrayList<>(List.of(weights, optimizer));
        if (ema != null) {
            out.add(ema);
        }
        return out;
    }

    /** The run folder. */
    public Path folder() {
        return file.toAbsolutePath().getParent();
    }

    /** Reads the checkpoint of a run folder (or the checkpoint.json itself) and checks its schema. */
    public static Checkpoint read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(Checkpoints.JSON) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no checkpoint (" + Checkpoints.JSON + " is written after each epoch)");
        }
        JsonNode node = Checkpoints.readJson(file);
        String name = file.toString();
        FileFields ck = FileFields.of(name, "", node);
        if (!(node.get("format") != null && Checkpoints.FORMAT.equals(node.get("format").asText()))) {
            throw new IOException(file + ": not a training checkpoint (no \"format\": \"" + Checkpoints.FORMAT
                    + "\")");
        }
        int version = ck.integer("version", 1, VERSION);
        int epoch = ck.integer("epoch", 1, Limits.MAX_EPOCHS);
        long step = ck.longInteger("step", 0, MAX_STEP);
        GoogLeNetConfig model = Checkpoints.modelConfig(ck.object("model"));
        trainingFields(ck.object("training"));
        FileFields files = ck.object("files");
        String weights = CheckpointFiles.name(files, "weights");
        String optimizer = CheckpointFiles.name(files, "optimizer");
        String ema = files.has("ema") ? CheckpointFiles.name(files, "ema") : null;
        if (ck.has("classes")) {
            ck.strings("classes", model.numClasses(), Limits.MAX_CLASS_NAME);
        }
        ck.object("rng").longInteger("data_seed", Long.MIN_VALUE, Long.MAX_VALUE);
        if (ema != null) {
            ck.object("ema").longInteger("updates", 0, MAX_STEP);
        }
        history(ck, epoch);
        Checkpoint c = new Checkpoint(file, version, epoch, step, model, weights, ema, optimizer, node);
        FileFields checksums = CheckpointFiles.checksums(ck, version);
        if (checksums != null) {
            for (String f : c.files()) {
                checksums.object(f); // each file has its record
            }
        }
        return c;
    }

    /**
     * Checks each tensor file against the size and SHA-256 the checkpoint recorded (nothing to check in a
     * version-1 checkpoint).
     */
    public void verify() throws IOException {
        verify(files());
    }

    /** As {@link #verify()}, for some of the files only (evaluation reads one weight file). */
    public void verify(List<String> names) throws IOException {
        FileFields checksums = CheckpointFiles.checksums(FileFields.of(file.toString(), "", json), version);
        if (checksums == null) {
            return;
        }
        for (String f : names) {
            CheckpointFiles.verify(folder(), f, checksums, file);
        }
    }

    /** The recipe's fields, typed, before {@link TrainingConfig#fromJson} (which reads them untyped) sees them. */
    private static void trainingFields(FileFields t) throws IOException {
        t.integer("epochs", 1, Limits.MAX_EPOCHS);
        t.integer("batch_size", 1, 1 << 20);
        t.number("learning_rate", 0, 1e6);
        t.text("schedule", 40);
        t.integer("step_epochs", 0, Limits.MAX_EPOCHS);
        t.number("step_gamma", 0, 1e6);
        t.number("min_learning_rate", 0, 1e6);
        t.number("warmup_epochs", 0, Limits.MAX_EPOCHS);
        t.number("momentum", 0, 1);
        t.bool("nesterov");
        t.number("weight_decay", 0, 1e6);
        t.bool("decay_bias_and_norm");
        t.number("label_smoothing", 0, 1);
        t.number("aux_weight", 0, 1e6);
        t.number("ema_decay", 0, 1);
        t.longInteger("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        try {
            TrainingConfig.fromJson(t.self());
        } catch (IllegalArgumentException e) {
            throw new IOException(t.file() + ": training: " + e.getMessage(), e);
        }
    }

    /** One entry per epoch, numbered 1, 2, …: resuming appends to it and rewrites the metrics from it. */
    private static void history(FileFields ck, int epoch) throws IOException {
        JsonNode h = ck.node("history");
        if (h == null || !h.isArray() || h.size() != epoch) {
            throw ck.invalid("history", "an array of " + epoch + " epochs' metrics (one per epoch completed)");
        }
        for (int i = 0; i < epoch; i++) {
            FileFields.of(ck.file(), "history[" + i + "]", h.get(i)).integer("epoch", i + 1, i + 1);
        }
    }
}
