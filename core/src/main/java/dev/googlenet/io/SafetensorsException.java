package dev.googlenet.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that is malformed or does not hold what was asked of it. The message starts with the file
 * name, then says the problem, e.g. {@code tv_state.safetensors: tensor 'fc.bias' not found}; names and dtypes
 * quoted from the header are printed with their control characters escaped ({@link OneLine}).
 */
public final class SafetensorsException extends IOException {
    private final transient Path file;

    SafetensorsException(Path file, String problem) {
        super(OneLine.of(label(file) + ": " + problem));
        this.file = file;
    }

    SafetensorsException(Path file, String problem, Throwable cause) {
        super(OneLine.of(label(file) + ": " + problem), cause);
        this.file = file;
    }

    /** The file as it was given to the reader (the message names only its last element). */
    public Path file() {
        return file;
    }

    static String label(Path file) {
        Path name = file.getFileName();
        return name != null ? name.toString() : file.toString();
    }
}
