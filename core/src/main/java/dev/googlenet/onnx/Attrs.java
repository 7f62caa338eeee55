package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A node's attributes as an op reads them at compile time. Every attribute the op reads is marked; {@link #done}
 * then rejects whatever is left, so an attribute this runtime does not understand is an error, never ignored.
 */
final class Attrs {
    private final Node node;
    private final String source;
    private final Set<String> used = new HashSet<>();

    Attrs(Node node, String source) {
        this.node = node;
        this.source = source;
    }

    OnnxException error(String problem) {
        return new OnnxException(source, node.label() + ": " + problem);
    }

    boolean has(String name) {
        return node.attributes().containsKey(name);
    }

    private Attribute get(String name, int type) throws OnnxException {
        used.add(name);
        Attribute a = node.attributes().get(name);
        if (a != null && a.type() != type) {
            throw error("attribute '" + name + "' should be " + Attribute.typeName(type) + ", is "
                    + Attribute.typeName(a.type()));
        }
        return a;
    }

    long i(String name, long dflt) throws OnnxException {
        Attribute a = get(name, Attribute.INT);
        return a == null ? dflt : a.i();
    }

    long requiredInt(String name) throws OnnxException {
        Attribute a = get(name, Attribute.INT);
        if (a == null) {
            throw error("required attribute '" + name + "' is missing");
        }
        return a.i();
    }

    float f(String name, float dflt) throws OnnxException {
        Attribute a = get(name, Attribute.FLOAT);
        return a == null ? dflt : a.f();
    }

    String s(String name, String dflt) throws OnnxException {
        Attribute a = get(name, Attribute.STRING);
        return a == null ? dflt : a.string();
    }

    long[] ints(String name) throws OnnxException {
        Attribute a = get(name, Attribute.INTS);
        return a == null ? null : a.ints();
    }

    OnnxTensor tensor(String name) throws OnnxException {
        Attribute a = get(name, Attribute.TENSOR);
        return a == null ? null : a.t();
    }

    /** Marks attributes that carry no meaning for inference (legacy {@code consumed_inputs}, {@code is_test}…). */
    void ignore(String... names) {
        used.addAll(Arrays.asList(names));
    }

    /** Fails on an attribute nobody read. */
    void done() throws OnnxException {
        for (Attribute a : node.attributes().values()) {
            if (!used.contains(a.name())) {
                throw error("attribute " + a + " is not supported");
            }
        }
    }

    /** Requires an int attribute to be one of the supported values. */
    void require(String name, long value, long... allowed) throws OnnxException {
        for (long v : allowed) {
            if (v == value) {
                return;
            }
        }
        throw error("attribute " + name + "=" + value + " is not supported (supported: " + Arrays.toString(allowed)
                + ")");
    }
}
