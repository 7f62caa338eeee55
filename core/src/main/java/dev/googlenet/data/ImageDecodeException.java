package dev.googlenet.data;

import dev.googlenet.io.OneLine;

import java.io.IOException;

/**
 * An image file that could not be decoded. The message is one line that starts with the file and says what is
 * wrong with it, e.g. {@code photos/cat.jpg: empty file (0 bytes)}, so a tool can print it as it is.
 */
public class ImageDecodeException extends IOException {
    private final String source;
    private final String problem;

    public ImageDecodeException(String source, String problem) {
        this(source, problem, null);
    }

    public ImageDecodeException(String source, String problem, Throwable cause) {
        super(OneLine.of(source + ": " + oneLine(problem)), cause);
        this.source = source;
        this.problem = oneLine(problem);
    }

    /** The file (or other source) that failed, as given to the decoder. */
    public String source() {
        return source;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
