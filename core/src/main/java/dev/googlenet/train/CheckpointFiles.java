package dev.googlenet.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.io.FileFields;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The size and SHA-256 of each tensor file of a checkpoint, as {@code checkpoint.json} records them
 * ({@code "checksums": {"weights-epoch003.safetensors": {"bytes": …, "sha256": "…"}, …}}), and their check: a file
 * that changed after the commit — a flipped bit, a truncated copy, another epoch's file under this name — is
 * refused before it is loaded, instead of resuming or evaluating from damaged weights.
 */
final class CheckpointFiles {
    /** A file name of a run folder: no folders, no hidden files, nothing a checkpoint could use to reach out. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 1 << 20;

    private CheckpointFiles() {
    }

    /** The record of one file: its size and SHA-256. */
    static ObjectNode record(Path file) throws IOException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("bytes", Files.size(file));
        o.put("sha256", sha256(file));
        return o;
    }

    /** Whether {@code name} may name a file of a run folder. */
    static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Checks the file {@code name} of the run folder {@code dir} against its record in {@code checksums}
     * (the checkpoint's "checksums" object, read from {@code json}).
     */
    static void verify(Path dir, String name, FileFields checksums, Path json) throws IOException {
        FileFields r = checksums.object(name);
        long bytes = r.longInteger("bytes", 0, Long.MAX_VALUE);
        String sha = r.text("sha256", 64);
        if (!SHA256.matcher(sha).matches()) {
            throw r.invalid("sha256", "64 lowercase hexadecimal digits");
        }
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing, though " + json.getFileName() + " names it (was the run "
                    + "folder copied in part?)");
        }
        long size = Files.size(file);
        if (size != bytes) {
            throw new IOException(file + ": " + size + " bytes, but " + json.getFileName() + " recorded " + bytes
                    + " (the file changed or was cut short after the checkpoint was written)");
        }
        if (!sha.equals(sha256(file))) {
            throw new IOException(file + ": its SHA-256 differs from the one " + json.getFileName() + " recorded "
                    + "(the file is damaged or was replaced after the checkpoint was written)");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buf = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The "checksums" object of a checkpoint, or null for a version-1 checkpoint (written before they were). */
    static FileFields checksums(FileFields checkpoint, int version) throws IOException {
        return version >= 2 ? checkpoint.object("checksums") : null;
    }

    /** A "files" entry: a file name of the run folder. */
    static String name(FileFields files, String field) throws IOException {
        String name = files.text(field, 200);
        if (!validName(name)) {
            throw files.invalid(field, "a file name in the run folder (letters, digits, '.', '_', '-')");
        }
        return name;
    }
}
