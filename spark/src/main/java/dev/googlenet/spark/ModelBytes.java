package dev.googlenet.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file's bytes as the driver read them, to be broadcast once to every executor: its name (the loader tells
 * ONNX from safetensors by the extension) and a digest that identifies the model in an executor's cache.
 */
public record ModelBytes(String fileName, byte[] bytes, String digest) implements Serializable {

    /** Largest model file shipped this way (a broadcast is held in memory on the driver and on every executor). */
    public static final long MAX_BYTES = 1L << 30;

    /**
     * Reads a model file through Hadoop's {@code FileSystem} (so {@code file:}, {@code hdfs:} and {@code s3a:}
     * paths work). A training run folder is not a single file: point at one of its weight files.
     */
    public static ModelBytes read(String location, Configuration hadoop) throws IOException {
        Path path = new Path(location);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path)) {
            throw new IOException(location + ": no such model file");
        }
        FileStatus status = fs.getFileStatus(path);
        if (status.isDirectory()) {
            throw new IOException(location + ": a folder, not a model file (give an .onnx or .safetensors file; "
                    + "for a training run, its weights-epochNNN.safetensors)");
        }
        if (status.getLen() > MAX_BYTES) {
            throw new IOException(location + ": " + status.getLen() + " bytes, more than the " + MAX_BYTES
                    + " a broadcast model may have");
        }
        byte[] bytes = new byte[(int) status.getLen()];
        try (FSDataInputStream in = fs.open(path)) {
            in.readFully(0, bytes);
        }
        return new ModelBytes(path.getName(), bytes, sha256(bytes));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
