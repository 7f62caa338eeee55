package dev.googlenet.spark;

import dev.googlenet.data.Preprocess;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import dev.googlenet.train.Sgd;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A data-parallel run's checkpoints, written at the end of every epoch through Hadoop's {@code FileSystem} (so a
 * {@code file:}, {@code hdfs:} or {@code s3a:} folder works): {@code weights-epochNNN.safetensors} (the model, with
 * the metadata {@code Models.load} reads, so it is a model file too) and {@code optimizer-epochNNN.safetensors} (the
 * momentum buffers). Each is written to a temporary name and renamed; the optimizer file first, so an epoch whose
 * weights exist is complete.
 */
final class HadoopCheckpoints {
    private static final Pattern WEIGHTS = Pattern.compile("weights-epoch(\\d{3,})\\.safetensors");

    private final Path dir;
    private final FileSystem fs;

    HadoopCheckpoints(String dir, Configuration hadoop) throws IOException {
        this.dir = new Path(dir);
        this.fs = this.dir.getFileSystem(hadoop);
    }

    static String weightsName(int epoch) {
        return String.format(Locale.ROOT, "weights-epoch%03d.safetensors", epoch);
    }

    static String optimizerName(int epoch) {
        return String.format(Locale.ROOT, "optimizer-epoch%03d.safetensors", epoch);
    }

    /** Writes epoch {@code epoch}'s model and optimizer state. */
    void save(int epoch, GoogLeNet model, Sgd sgd, List<String> classes, Preprocess preprocess) throws IOException {
        Map<String, Tensor> momentum = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            float[] buf = sgd.momentumBuffer(e.getValue());
            if (buf != null) {
                momentum.put(e.getKey(), Tensor.of(buf.clone(), e.getValue().value().shape()));
            }
        }
        java.nio.file.Path local = Files.createTempFile("googlenet-checkpoint", ".safetensors");
        try {
            Safetensors.write(local, momentum, Map.of(Checkpoints.META_EPOCH, Integer.toString(epoch)));
            publish(local, optimizerName(epoch));
            StateDicts.save(local, model, Checkpoints.weightsMetadata(model.config(), classes, preprocess, "raw",
                    epoch));
            publish(local, weightsName(epoch));
        } finally {
            Files.deleteIfExists(local);
        }
    }

    private void publish(java.nio.file.Path local, String name) throws IOException {
        fs.mkdirs(dir);
        Path tmp = new Path(dir, "." + name + ".tmp");
        Path target = new Path(dir, name);
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException(target + ": could not rename " + tmp + " to it");
        }
    }

    /** The last epoch with a complete checkpoint, or 0 when the folder has none. */
    int lastEpoch() throws IOException {
        if (!fs.exists(dir)) {
            return 0;
        }
        int last = 0;
        for (FileStatus f : fs.listStatus(dir)) {
            Matcher m = WEIGHTS.matcher(f.getPath().getName());
            if (m.matches()) {
                last = Math.max(last, Integer.parseInt(m.group(1)));
            }
        }
        return last;
    }

    /** Loads epoch {@code epoch}'s weights into {@code model} and momentum into {@code sgd}; the model must match. */
    void restore(int epoch, GoogLeNet model, Sgd sgd) throws IOException {
        SafetensorsFile weights = fetch(weightsName(epoch));
        GoogLeNetConfig saved = Checkpoints.modelConfigFromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(weights.metadata().get(Checkpoints.META_CONFIG)));
        if (!saved.equals(model.config())) {
            throw new IOException(new Path(dir, weightsName(epoch)) + ": holds a model of another configuration ("
                    + saved + "), this run trains " + model.config());
        }
        model.loadStateDict(StateDicts.tensors(weights));
        SafetensorsFile optimizer = fetch(optimizerName(epoch));
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            sgd.setMomentumBuffer(e.getValue(), optimizer.contains(e.getKey())
                    ? optimizer.tensor(e.getKey()).data() : null);
        }
    }

    /** A checkpoint file read into memory (copied to a local temporary file: the reader takes local paths). */
    private SafetensorsFile fetch(String name) throws IOException {
        Path source = new Path(dir, name);
        if (!fs.exists(source)) {
            throw new IOException(source + ": missing (an incomplete checkpoint)");
        }
        java.nio.file.Path local = Files.createTempFile("googlenet-checkpoint", ".safetensors");
        try {
            fs.copyToLocalFile(false, source, new Path(local.toUri()), true);
            return Safetensors.read(local); // holds the bytes: the file may go
        } finally {
            Files.deleteIfExists(local);
        }
    }
}
