package dev.googlenet.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see the old file or the complete new one, never half of one: the data goes to a
 * temporary file beside the target ({@code .<name>.<random>.tmp}), is synced, then renamed over the target. On
 * any failure the temporary file is deleted, and the error says in words what went wrong (permission denied, a
 * missing folder, a folder in the way, a full disk) with the path the user gave, never the temporary file's.
 * A process killed mid-write leaves its temporary file behind; {@link #removeStale} clears them.
 */
public final class AtomicWrite {
    /** The temporary files this class names: a dot, the target's name, a random base-36 tag, ".tmp". */
    private static final Pattern TEMP = Pattern.compile("\\..+\\.[0-9a-z]{1,13}\\.tmp");

    private AtomicWrite() {
    }

    /** What fills the file. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes {@code file} through {@code body}, atomically (see the class comment). */
    public static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException(file + ": is a folder; give a file name to write");
        }
        // Not Files.createTempFile: that makes the file owner-only (0600), which the rename would keep.
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true); // data on disk before the rename makes it visible
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            if (t instanceof IOException e) {
                throw explain(file, e);
            }
            throw t;
        }
    }

    /** Writes bytes to {@code file}, atomically. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }

    /** Creates the folder {@code dir} (and its parents) to write into, or says in words why it cannot. */
    public static void createFolder(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw explain(dir, e);
        }
    }

    /**
     * Deletes the temporary files a killed writer left in {@code dir} (see the class comment); returns how many.
     * Call it where no other process writes.
     */
    public static int removeStale(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (TEMP.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * An output error in words, naming {@code path} (what the user asked to write) instead of whatever file the
     * exception names; the original is kept as the cause.
     */
    public static IOException explain(Path path, IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : String.valueOf(e.getMessage());
        String r = reason.toLowerCase(Locale.ROOT);
        Path parent = path.toAbsolutePath().getParent();
        String words;
        if (r.contains("no space left") || r.contains("disk quota")) {
            words = "the disk is full (no space left on the device)";
        } else if (r.contains("read-only file system")) {
            words = "the file system is read-only";
        } else if (e instanceof AccessDeniedException || r.contains("permission denied")
                || r.contains("operation not permitted")) {
            words = "permission denied";
        } else if (r.contains("is a directory") || Files.isDirectory(path)) {
            words = "is a folder; give a file name to write";
        } else if (r.contains("not a directory")) {
            words = "a part of the path is a file, not a folder";
        } else if (e instanceof NoSuchFileException || r.contains("no such file")) {
            words = parent != null && !Files.isDirectory(parent) ? "the folder " + parent + " does not exist"
                    : "cannot create files in " + parent;
        } else if (e instanceof FileAlreadyExistsException) {
            words = "is in the way (it already exists)";
        } else {
            words = "cannot write: " + reason;
        }
        return new IOException(OneLine.of(path + ": " + words), e);
    }
}
