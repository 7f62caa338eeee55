package dev.googlenet.onnx;

import dev.googlenet.io.OneLine;

import java.io.IOException;

/**
 * An ONNX file that is malformed, uses something this importer does not support, or does not fit the input it
 * was given. The message starts with the file name, then says the problem (and the node, when one is to blame),
 * e.g. {@code model.onnx: node 'conv1' (Conv): attribute group=2 not supported (only 1)}.
 *
 * <p>The message is always one line: names and strings quoted from a file may hold any bytes, so line breaks,
 * tabs and other control characters are written as escapes, and a message longer than {@value #MAX_MESSAGE}
 * characters is cut short.
 */
public final class OnnxException extends IOException {
    static final int MAX_MESSAGE = OneLine.MAX_MESSAGE;

    private final String source;

    public OnnxException(String source, String problem) {
        super(oneLine(source + ": " + problem));
        this.source = source;
    }

    public OnnxException(String source, String problem, Throwable cause) {
        super(oneLine(source + ": " + problem), cause);
        this.source = source;
    }

    /** The file (or other source) the message names. */
    public String source() {
        return source;
    }

    static String oneLine(String message) {
        return OneLine.of(message, MAX_MESSAGE);
    }
}
