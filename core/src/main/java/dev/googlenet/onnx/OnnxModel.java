package dev.googlenet.onnx;

import dev.googlenet.tensor.Shape;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of ONNX's {@code ModelProto} this project reads and writes: IR version, operator set imports, producer,
 * one graph of nodes with initializers, and {@code metadata_props}.
 *
 * @param source      the file (or other label) it came from, for messages
 * @param opsetImports operator set version by domain ({@code ""} is the default ONNX domain)
 */
public record OnnxModel(String source, long irVersion, Map<String, Long> opsetImports, String producerName,
                        String producerVersion, Graph graph, Map<String, String> metadata) {

    public OnnxModel {
        opsetImports = Map.copyOf(opsetImports);
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The opset of the default ONNX domain ({@code ""}, also spelled {@code ai.onnx}). */
    public long opset() {
        Long v = opsetImports.get("");
        if (v == null) {
            v = opsetImports.get("ai.onnx");
        }
        return v == null ? 0 : v;
    }

    /** A graph: nodes in the file's order, initializers by name, declared inputs and outputs. */
    public record Graph(String name, List<Node> nodes, Map<String, OnnxTensor> initializers, List<ValueInfo> inputs,
                        List<ValueInfo> outputs) {
        public Graph {
            nodes = List.copyOf(nodes);
            initializers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        /** Declared inputs that are not initializers: what a caller must feed. */
        public List<ValueInfo> realInputs() {
            return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
        }
    }

    /** One operator application. Missing optional inputs are empty strings, as in ONNX. */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {
        public Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }

        public static Node of(String name, String opType, List<String> inputs, List<String> outputs,
                              Attribute... attributes) {
            Map<String, Attribute> m = new LinkedHashMap<>();
            for (Attribute a : attributes) {
                m.put(a.name(), a);
            }
            return new Node(name, opType, "", inputs, outputs, m);
        }

        /** How messages name this node: {@code node 'conv1' (Conv)}. */
        public String label() {
            String n = name.isEmpty() ? (outputs.isEmpty() ? "?" : "producing '" + outputs.getFirst() + "'") : name;
            return "node '" + n + "' (" + (domain.isEmpty() || domain.equals("ai.onnx") ? "" : domain + ".")
                    + opType + ")";
        }
    }

    /** A node attribute; {@code type} is ONNX's {@code AttributeType} code and says which value is set. */
    public record Attribute(String name, int type, float f, long i, byte[] s, OnnxTensor t, float[] floats,
                            long[] ints, List<byte[]> strings) {
        public static final int FLOAT = 1;
        public static final int INT = 2;
        public static final int STRING = 3;
        public static final int TENSOR = 4;
        public static final int GRAPH = 5;
        public static final int FLOATS = 6;
        public static final int INTS = 7;
        public static final int STRINGS = 8;

        public static Attribute ofFloat(String name, float v) {
            return new Attribute(name, FLOAT, v, 0, null, null, null, null, null);
        }

        public static Attribute ofInt(String name, long v) {
            return new Attribute(name, INT, 0, v, null, null, null, null, null);
        }

        public static Attribute ofString(String name, String v) {
            return new Attribute(name, STRING, 0, 0, v.getBytes(StandardCharsets.UTF_8), null, null, null, null);
        }

        public static Attribute ofTensor(String name, OnnxTensor v) {
            return new Attribute(name, TENSOR, 0, 0, null, v, null, null, null);
        }

        public static Attribute ofInts(String name, long... v) {
            return new Attribute(name, INTS, 0, 0, null, null, null, v.clone(), null);
        }

        public static Attribute ofFloats(String name, float... v) {
            return new Attribute(name, FLOATS, 0, 0, null, null, v.clone(), null, null);
        }

        public String string() {
            return s == null ? null : new String(s, StandardCharsets.UTF_8);
        }

        public static String typeName(int type) {
            String[] names = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS",
                "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
            return type >= 0 && type < names.length ? names[type] : "type " + type;
        }

        /** The value as written in messages, e.g. {@code pads=[0, 0, 1, 1]}. */
        @Override
        public String toString() {
            String v = switch (type) {
                case FLOAT -> Float.toString(f);
                case INT -> Long.toString(i);
                case STRING -> "'" + string() + "'";
                case TENSOR -> String.valueOf(t);
                case FLOATS -> Arrays.toString(floats);
                case INTS -> Arrays.toString(ints);
                default -> typeName(type);
            };
            return name + "=" + v;
        }
    }

    /**
     * A declared graph input or output. {@code dims} is null when no shape is declared; a dimension is -1 when it
     * is symbolic ({@code dimParams[i]} then holds its name, e.g. "batch") or unknown.
     */
    public record ValueInfo(String name, int elemType, long[] dims, String[] dimParams) {

        /** A float tensor value; each dimension is a Long (fixed) or a String (symbolic). */
        public static ValueInfo of(String name, Object... dims) {
            long[] d = new long[dims.length];
            String[] p = new String[dims.length];
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] instanceof Number n) {
                    d[i] = n.longValue();
                } else {
                    d[i] = -1;
                    p[i] = String.valueOf(dims[i]);
                }
            }
            return new ValueInfo(name, OnnxTensor.DataType.FLOAT.code(), d, p);
        }

        /** The shape as text, symbolic dimensions by name: {@code [batch,3,224,224]}. */
        public String shapeText() {
            if (dims == null) {
                return "[?]";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < dims.length; i++) {
                parts.add(dims[i] >= 0 ? Long.toString(dims[i])
                        : dimParams != null && dimParams[i] != null ? dimParams[i] : "?");
            }
            return "[" + String.join(",", parts) + "]";
        }

        /** Whether a value of this shape fits the declaration (symbolic dimensions fit anything). */
        public boolean accepts(int[] shape) {
            if (dims == null) {
                return true;
            }
            if (shape.length != dims.length) {
                return false;
            }
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] >= 0 && dims[i] != shape[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return name + shapeText() + " " + OnnxTensor.DataType.nameOf(elemType);
        }
    }

    static String shapeOf(int[] s) {
        return Shape.toString(s);
    }
}
