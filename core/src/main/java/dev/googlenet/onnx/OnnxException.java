package dev.googlenet.onnx;

import java.io.IOException;

/**
 * An ONNX file that is malformed, uses something this importer does not support, or does not fit the input it
 * was given. The message starts with the file name, then says the problem (and the node, when one is to blame),
 * e.g. {@code model.onnx: node 'conv1' (Conv): attribute group=2 not supported (only 1)}.
 */
public final class OnnxException extends IOException {
    private final String source;

    public OnnxException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public OnnxException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or other source) the message names. */
    public String source() {
        return source;
    }
}
