package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Graph;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.onnx.OnnxTensor.DataType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes ONNX files (protobuf wire format, the fields of onnx.proto this project needs; unknown fields
 * are skipped). Files must fit in memory (under 2 GiB, no external data). Every error names the file and the
 * message and field being read.
 */
public final class OnnxIO {
    /** Largest file read: protobuf itself limits a message to 2 GiB. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private OnnxIO() {
    }

    /** Reads an ONNX model file. */
    public static OnnxModel read(Path file) throws IOException {
        return parse(readAll(file), label(file));
    }

    /** Reads a serialized {@code TensorProto} (the {@code .pb} files of ONNX's test data). */
    public static OnnxTensor readTensor(Path file) throws IOException {
        return parseTensor(readAll(file), label(file));
    }

    /** Parses a serialized {@code TensorProto}; {@code source} names it in messages. */
    public static OnnxTensor parseTensor(byte[] bytes, String source) throws OnnxException {
        return tensor(new ProtoReader(bytes, 0, bytes.length, source, "TensorProto"));
    }

    static String label(Path file) {
        Path n = file.getFileName();
        return n == null ? file.toString() : n.toString();
    }

    private static byte[] readAll(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OnnxException(label(file), "no such file (" + file + ")", e);
        } catch (IOException e) {
            throw new OnnxException(label(file), "cannot read: " + e, e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new OnnxException(label(file), "file of " + size + " bytes is larger than the 2 GiB a protobuf "
                    + "message can hold (external data is not supported)");
        }
        return dev.googlenet.io.FileBytes.read(file); // a megabyte at a time: no file-sized native buffer left behind
    }

    /** Parses a model from bytes; {@code source} names it in messages. */
    public static OnnxModel parse(byte[] bytes, String source) throws OnnxException {
        ProtoReader r = new ProtoReader(bytes, 0, bytes.length, source, "model");
        long ir = 0;
        Map<String, Long> opsets = new LinkedHashMap<>();
        String producer = "";
        String producerVersion = "";
        Graph graph = null;
        Map<String, String> meta = new LinkedHashMap<>();
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> ir = r.readVarint();
                case 2 -> producer = expectLen(r, wt).readString();
                case 3 -> producerVersion = expectLen(r, wt).readString();
                case 7 -> graph = graph(expectLen(r, wt).readMessage("graph"));
                case 8 -> {
                    ProtoReader m = expectLen(r, wt).readMessage("opset_import");
                    String domain = "";
                    long version = 0;
                    while (m.hasMore()) {
                        int k = m.readKey();
                        switch (k >>> 3) {
                            case 1 -> domain = expectLen(m, k & 7).readString();
                            case 2 -> version = m.readVarint();
                            default -> m.skip(k & 7);
                        }
                    }
                    opsets.put(domain, version);
                }
                case 14 -> {
                    ProtoReader m = expectLen(r, wt).readMessage("metadata_props");
                    String k2 = "";
                    String v = "";
                    while (m.hasMore()) {
                        int k = m.readKey();
                        switch (k >>> 3) {
                            case 1 -> k2 = expectLen(m, k & 7).readString();
                            case 2 -> v = expectLen(m, k & 7).readString();
                            default -> m.skip(k & 7);
                        }
                    }
                    meta.put(k2, v);
                }
                default -> r.skip(wt);
            }
        }
        if (graph == null) {
            throw new OnnxException(source, bytes.length == 0 ? "empty file" : "no graph in the model (not an ONNX model?)");
        }
        if (opsets.isEmpty()) {
            throw new OnnxException(source, "model declares no opset_import (not an ONNX model?)");
        }
        return new OnnxModel(source, ir, opsets, producer, producerVersion, graph, meta);
    }

    private static ProtoReader expectLen(ProtoReader r, int wireType) throws OnnxException {
        if (wireType != ProtoReader.LEN) {
            throw r.error("expected a length-delimited field, got wire type " + wireType + " (not an ONNX file?)");
        }
        return r;
    }

    private static Graph graph(ProtoReader r) throws OnnxException {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        Map<String, OnnxTensor> inits = new LinkedHashMap<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> nodes.add(node(expectLen(r, wt).readMessage("node[" + nodes.size() + "]")));
                case 2 -> name = expectLen(r, wt).readString();
                case 5 -> {
                    ProtoReader m = expectLen(r, wt).readMessage("initializer[" + inits.size() + "]");
                    String[] tname = new String[1];
                    OnnxTensor t = tensor(m, tname);
                    if (inits.containsKey(tname[0])) {
                        throw r.error("initializer '" + tname[0] + "' appears twice");
                    }
                    inits.put(tname[0], t);
                }
                case 11 -> inputs.add(valueInfo(expectLen(r, wt).readMessage("input[" + inputs.size() + "]")));
                case 12 -> outputs.add(valueInfo(expectLen(r, wt).readMessage("output[" + outputs.size() + "]")));
                case 15 -> throw r.error("sparse initializers are not supported");
                default -> r.skip(wt);
            }
        }
        return new Graph(name, nodes, inits, inputs, outputs);
    }

    private static Node node(ProtoReader r) throws OnnxException {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> in.add(expectLen(r, wt).readString());
                case 2 -> out.add(expectLen(r, wt).readString());
                case 3 -> name = expectLen(r, wt).readString();
                case 4 -> op = expectLen(r, wt).readString();
                case 5 -> {
                    Attribute a = attribute(expectLen(r, wt).readMessage("attribute[" + attrs.size() + "]"));
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = expectLen(r, wt).readString();
                default -> r.skip(wt);
            }
        }
        if (op.isEmpty()) {
            throw r.error("node '" + name + "' has no op_type");
        }
        return new Node(name, op, domain, in, out, attrs);
    }

    private static Attribute attribute(ProtoReader r) throws OnnxException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        byte[] s = null;
        OnnxTensor t = null;
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.LongList ints = new ProtoReader.LongList();
        List<byte[]> strings = new ArrayList<>();
        boolean hasF = false;
        boolean hasI = false;
        boolean hasGraph = false;
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> name = expectLen(r, wt).readString();
                case 20 -> type = r.readInt32();
                case 2 -> {
                    f = r.readFloat();
                    hasF = true;
                }
                case 3 -> {
                    i = r.readVarint();
                    hasI = true;
                }
                case 4 -> s = expectLen(r, wt).readBytes();
                case 5 -> t = tensor(expectLen(r, wt).readMessage("t"), new String[1]);
                case 6, 11 -> {
                    hasGraph = true;
                    r.skip(wt);
                }
                case 7 -> r.readFloats(wt, floats);
                case 8 -> r.readLongs(wt, ints);
                case 9 -> strings.add(expectLen(r, wt).readBytes());
                default -> r.skip(wt);
            }
        }
        if (type == 0) { // IR version 1 files may omit the type: infer it from the field that is set
            type = t != null ? Attribute.TENSOR : s != null ? Attribute.STRING : ints.size() > 0 ? Attribute.INTS
                    : floats.size() > 0 ? Attribute.FLOATS : !strings.isEmpty() ? Attribute.STRINGS
                    : hasGraph ? Attribute.GRAPH : hasF ? Attribute.FLOAT : hasI ? Attribute.INT : 0;
        }
        // a number left out reads as 0 (protobuf's default); a string or tensor left out has no such default
        if (type == Attribute.STRING && s == null || type == Attribute.TENSOR && t == null) {
            throw r.error("attribute '" + name + "' of type " + Attribute.typeName(type) + " has no value");
        }
        return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray(), strings);
    }

    private static ValueInfo valueInfo(ProtoReader r) throws OnnxException {
        String name = "";
        int elem = 0;
        List<Long> dims = null;
        List<String> params = null;
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> name = expectLen(r, wt).readString();
                case 2 -> {
                    ProtoReader type = expectLen(r, wt).readMessage("type");
                    while (type.hasMore()) {
                        int k = type.readKey();
                        if (k >>> 3 != 1) {
                            type.skip(k & 7);
                            continue;
                        }
                        ProtoReader tt = expectLen(type, k & 7).readMessage("tensor_type");
                        while (tt.hasMore()) {
                            int k2 = tt.readKey();
                            if (k2 >>> 3 == 1) {
                                elem = tt.readInt32();
                            } else if (k2 >>> 3 == 2) {
                                dims = new ArrayList<>();
                                params = new ArrayList<>();
                                ProtoReader shape = expectLen(tt, k2 & 7).readMessage("shape");
                                while (shape.hasMore()) {
                                    int k3 = shape.readKey();
                                    if (k3 >>> 3 != 1) {
                                        shape.skip(k3 & 7);
                                        continue;
                                    }
                                    ProtoReader d = expectLen(shape, k3 & 7).readMessage("dim");
                                    long v = -1;
                                    String p = null;
                                    while (d.hasMore()) {
                                        int k4 = d.readKey();
                                        switch (k4 >>> 3) {
                                            case 1 -> v = d.readVarint();
                                            case 2 -> p = expectLen(d, k4 & 7).readString();
                                            default -> d.skip(k4 & 7);
                                        }
                                    }
                                    dims.add(v);
                                    params.add(p);
                                }
                            } else {
                                tt.skip(k2 & 7);
                            }
                        }
                    }
                }
                default -> r.skip(wt);
            }
        }
        return new ValueInfo(name, elem, dims == null ? null : dims.stream().mapToLong(Long::longValue).toArray(),
                params == null ? null : params.toArray(String[]::new));
    }

    private static OnnxTensor tensor(ProtoReader r) throws OnnxException {
        return tensor(r, new String[1]);
    }

    /** Parses a TensorProto; its name goes to {@code name[0]}. */
    private static OnnxTensor tensor(ProtoReader r, String[] name) throws OnnxException {
        ProtoReader.LongList dims = new ProtoReader.LongList();
        int type = 0;
        name[0] = "";
        int rawAt = -1;
        int rawLen = 0;
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.LongList ints = new ProtoReader.LongList();
        boolean external = false;
        while (r.hasMore()) {
            int key = r.readKey();
            int wt = key & 7;
            switch (key >>> 3) {
                case 1 -> r.readLongs(wt, dims);
                case 2 -> type = r.readInt32();
                case 3 -> throw r.error("segmented tensors are not supported");
                case 4 -> r.readFloats(wt, floats);
                case 5, 7, 11 -> r.readLongs(wt, ints);
                case 8 -> name[0] = expectLen(r, wt).readString();
                case 9 -> {
                    rawAt = expectLen(r, wt).skipBytes();
                    rawLen = r.lastLength();
                }
                case 10 -> r.readDoubles(wt, floats);
                case 13 -> {
                    external = true;
                    r.skip(wt);
                }
                case 14 -> external |= r.readVarint() == 1;
                default -> r.skip(wt);
            }
        }
        String what = name[0].isEmpty() ? "" : " '" + name[0] + "'";
        if (external) {
            throw r.error("tensor" + what + " keeps its data in an external file, which is not supported");
        }
        DataType dt = DataType.of(type);
        if (dt == null) {
            throw r.error("tensor" + what + " has data type " + DataType.nameOf(type) + ", which is not supported");
        }
        long[] d = dims.toArray();
        int[] shape = new int[d.length];
        long count = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] < 0 || d[i] > Integer.MAX_VALUE) {
                throw r.error("tensor" + what + " has invalid dimension " + d[i]);
            }
            shape[i] = (int) d[i];
            count *= d[i];
            if (count > Integer.MAX_VALUE) {
                throw r.error("tensor" + what + " with dims " + java.util.Arrays.toString(d) + " is too large");
            }
        }
        int n = (int) count;
        if (rawAt >= 0) {
            if ((long) n * dt.bytes() != rawLen) {
                throw r.error("tensor" + what + ": raw_data has " + rawLen + " bytes, dims "
                        + java.util.Arrays.toString(d) + " of " + dt + " need " + (long) n * dt.bytes());
            }
            ByteBuffer bb = ByteBuffer.wrap(r.buffer(), rawAt, rawLen).order(ByteOrder.LITTLE_ENDIAN);
            if (dt.isFloat()) {
                float[] f = new float[n];
                bb.asFloatBuffer().get(f);
                return OnnxTensor.ofFloats(f, shape);
            }
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = switch (dt) {
                    case UINT8, BOOL -> bb.get() & 0xff;
                    case INT8 -> bb.get();
                    case UINT16 -> bb.getShort() & 0xffff;
                    case INT16 -> bb.getShort();
                    case INT32 -> bb.getInt();
                    case UINT32 -> bb.getInt() & 0xffffffffL;
                    default -> bb.getLong();
                };
            }
            return OnnxTensor.ofLongs(dt, l, shape);
        }
        int have = dt.isFloat() ? floats.size() : ints.size();
        if (have != n) {
            throw r.error("tensor" + what + " has " + have + " typed values, dims " + java.util.Arrays.toString(d)
                    + " need " + n);
        }
        return dt.isFloat() ? OnnxTensor.ofFloats(floats.toArray(), shape) : OnnxTensor.ofLongs(dt, ints.toArray(), shape);
    }

    // ---------------------------------------------------------------------------------------------- writing

    /** Writes a model (temp file in the same folder, then rename). */
    public static void write(OnnxModel model, Path file) throws IOException {
        byte[] bytes = toBytes(model);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + label(file), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Serializes a model. */
    public static byte[] toBytes(OnnxModel model) {
        ProtoWriter w = new ProtoWriter();
        w.int64(1, model.irVersion());
        if (!model.producerName().isEmpty()) {
            w.string(2, model.producerName());
        }
        if (!model.producerVersion().isEmpty()) {
            w.string(3, model.producerVersion());
        }
        w.message(7, graphProto(model.graph()));
        for (var e : model.opsetImports().entrySet()) {
            ProtoWriter o = new ProtoWriter();
            if (!e.getKey().isEmpty()) {
                o.string(1, e.getKey());
            }
            o.int64(2, e.getValue());
            w.message(8, o);
        }
        for (var e : model.metadata().entrySet()) {
            w.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return w.toByteArray();
    }

    /** Serializes one tensor as a TensorProto (the format of ONNX's {@code .pb} test data). */
    public static byte[] tensorBytes(OnnxTensor t, String name) {
        return tensorProto(t, name).toByteArray();
    }

    private static ProtoWriter graphProto(Graph g) {
        ProtoWriter w = new ProtoWriter();
        for (Node n : g.nodes()) {
            w.message(1, nodeProto(n));
        }
        w.string(2, g.name());
        for (var e : g.initializers().entrySet()) {
            w.message(5, tensorProto(e.getValue(), e.getKey()));
        }
        for (ValueInfo v : g.inputs()) {
            w.message(11, valueInfoProto(v));
        }
        for (ValueInfo v : g.outputs()) {
            w.message(12, valueInfoProto(v));
        }
        return w;
    }

    private static ProtoWriter nodeProto(Node n) {
        ProtoWriter w = new ProtoWriter();
        for (String s : n.inputs()) {
            w.string(1, s);
        }
        for (String s : n.outputs()) {
            w.string(2, s);
        }
        if (!n.name().isEmpty()) {
            w.string(3, n.name());
        }
        w.string(4, n.opType());
        for (Attribute a : n.attributes().values()) {
            w.message(5, attributeProto(a));
        }
        if (!n.domain().isEmpty()) {
            w.string(7, n.domain());
        }
        return w;
    }

    private static ProtoWriter attributeProto(Attribute a) {
        ProtoWriter w = new ProtoWriter();
        w.string(1, a.name());
        switch (a.type()) {
            case Attribute.FLOAT -> w.float32(2, a.f());
            case Attribute.INT -> w.int64(3, a.i());
            case Attribute.STRING -> w.bytes(4, a.s());
            case Attribute.TENSOR -> w.message(5, tensorProto(a.t(), ""));
            case Attribute.FLOATS -> w.packedFloat(7, a.floats());
            case Attribute.INTS -> w.packedInt64(8, a.ints());
            case Attribute.STRINGS -> a.strings().forEach(s -> w.bytes(9, s));
            default -> throw new IllegalArgumentException("cannot write attribute " + a);
        }
        w.int64(20, a.type());
        return w;
    }

    private static ProtoWriter tensorProto(OnnxTensor t, String name) {
        ProtoWriter w = new ProtoWriter();
        long[] dims = java.util.Arrays.stream(t.shape()).asLongStream().toArray();
        if (dims.length > 0) {
            w.packedInt64(1, dims);
        }
        w.int64(2, t.type().code());
        if (!name.isEmpty()) {
            w.string(8, name);
        }
        ByteBuffer bb = ByteBuffer.allocate(t.size() * t.type().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (t.type().isFloat()) {
            bb.asFloatBuffer().put(t.tensor().data());
        } else {
            for (long v : t.longs()) {
                switch (t.type().bytes()) {
                    case 1 -> bb.put((byte) v);
                    case 2 -> bb.putShort((short) v);
                    case 4 -> bb.putInt((int) v);
                    default -> bb.putLong(v);
                }
            }
        }
        w.bytes(9, bb.array());
        return w;
    }

    private static ProtoWriter valueInfoProto(ValueInfo v) {
        ProtoWriter tensorType = new ProtoWriter().int64(1, v.elemType());
        if (v.dims() != null) {
            ProtoWriter shape = new ProtoWriter();
            for (int i = 0; i < v.dims().length; i++) {
                ProtoWriter d = new ProtoWriter();
                if (v.dims()[i] >= 0) {
                    d.int64(1, v.dims()[i]);
                } else if (v.dimParams() != null && v.dimParams()[i] != null) {
                    d.string(2, v.dimParams()[i]);
                }
                shape.message(1, d);
            }
            tensorType.message(2, shape);
        }
        return new ProtoWriter().string(1, v.name()).message(2, new ProtoWriter().message(1, tensorType));
    }
}
