package dev.googlenet.onnx;

import dev.googlenet.model.ConvBlock;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Inception;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Flatten;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Lrn;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Sequential;
import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recognizes a GoogLeNet in an ONNX graph and builds our {@link GoogLeNet} from it. The graph is read by its
 * structure, not by names: the chain of nodes from the input (conv blocks, pools, LRN), Inception modules as a
 * fan-out that rejoins in a Concat (branches in the Concat's input order), then pooling, flattening, optional
 * dropout and the classifier. Each stage is matched against the model's layer at the same position, its
 * attributes checked for equivalence at the graph's input size, and its initializers copied into that layer.
 */
final class GoogLeNetMatcher {

    /** Why a graph is not a GoogLeNet this project can hold. */
    /** A node's first output; a node without one (a malformed file) is not a GoogLeNet's. */
    private static String output(Node n) throws Mismatch {
        if (n.outputs().isEmpty()) {
            throw new Mismatch(n.label() + " has no output");
        }
        return n.outputs().getFirst();
    }

    /** A node's first input; a node without one is not a GoogLeNet's. */
    private static String input(Node n) throws Mismatch {
        if (n.inputs().isEmpty()) {
            throw new Mismatch(n.label() + " has no input");
        }
        return n.inputs().getFirst();
    }

    static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message);
        }
    }

    private final OnnxModel model;
    private final Map<String, OnnxTensor> inits;
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();

    private GoogLeNetMatcher(OnnxModel model, List<Node> nodes) {
        this.model = model;
        this.inits = model.graph().initializers();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !inits.containsKey(in)) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
        }
    }

    /** A stage of the main chain: one layer's worth of nodes; for an Inception, its four branches. */
    private record Stage(String kind, List<Node> nodes, List<List<Stage>> branches) {
        Node node() {
            return nodes.getFirst();
        }
    }

    static GoogLeNet match(OnnxModel model, List<Node> nodes, int[] inputShape) throws Mismatch {
        return new GoogLeNetMatcher(model, nodes).build(inputShape);
    }

    private GoogLeNet build(int[] inputShape) throws Mismatch {
        List<OnnxModel.ValueInfo> ins = model.graph().realInputs();
        if (ins.size() != 1) {
            throw new Mismatch("a GoogLeNet has one input, the graph has " + ins.size());
        }
        List<Stage> stages = chain(ins.getFirst().name());
        boolean lrn = stages.stream().anyMatch(s -> s.kind.equals("LRN"));
        boolean fiveByFive = false;
        boolean bn = false;
        Stage fc = null;
        Float dropout = null;
        for (Stage s : stages) {
            for (Node n : all(s)) {
                if (n.opType().equals("Conv") && weight(n).dim(2) == 5) {
                    fiveByFive = true;
                }
                if (n.opType().equals("BatchNormalization")) {
                    bn = true;
                }
            }
            if (s.kind.equals("Linear")) {
                fc = s;
            }
            if (s.kind.equals("Dropout")) {
                dropout = dropoutRatio(s.node());
            }
        }
        if (fc == null) {
            throw new Mismatch("no classifier (Gemm or MatMul) at the end of the main chain");
        }
        Variant variant = lrn || fiveByFive ? Variant.PAPER : Variant.TORCHVISION;
        int classes = linearWeight(fc)[0].dim(0);
        GoogLeNetConfig.Builder cfg = GoogLeNetConfig.builder().setVariant(variant).optNumClasses(classes)
                .optAuxHeads(false).optBatchNorm(bn);
        if (dropout != null) {
            cfg.optDropout(dropout);
        }
        GoogLeNet net = new GoogLeNet(cfg.build());
        // dropout is the identity at inference, and exporters put it before or after flattening: not matched
        stages.removeIf(s -> s.kind.equals("Dropout"));
        List<Layer> layers = net.trunk().layers();
        List<String> names = net.trunk().names();
        int[] shape = inputShape.clone();
        int si = 0;
        for (int li = 0; li < layers.size(); li++) {
            Layer layer = layers.get(li);
            String name = names.get(li);
            if (layer instanceof Dropout) {
                continue;
            }
            if (si >= stages.size()) {
                throw new Mismatch("the graph ends before " + name);
            }
            Stage s = stages.get(si++);
            try {
                bind(layer, s, shape);
            } catch (Mismatch e) {
                throw new Mismatch(name + " ↔ " + s.node().label() + ": " + e.getMessage());
            }
            shape = layer.outputShape(shape);
        }
        while (si < stages.size() && stages.get(si).kind.equals("Softmax")) {
            si++;
        }
        if (si != stages.size()) {
            throw new Mismatch("the graph goes on after the classifier with " + stages.get(si).node().label());
        }
        return net;
    }

    private static List<Node> all(Stage s) {
        List<Node> out = new ArrayList<>(s.nodes);
        if (s.branches != null) {
            s.branches.forEach(b -> b.forEach(x -> out.addAll(all(x))));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ graph walking

    private Node only(String value, String context) throws Mismatch {
        List<Node> cs = consumers.getOrDefault(value, List.of());
        if (cs.size() != 1) {
            throw new Mismatch("'" + value + "' " + context + " feeds " + cs.size() + " nodes, expected one");
        }
        return cs.getFirst();
    }

    private List<Stage> chain(String value) throws Mismatch {
        List<Stage> stages = new ArrayList<>();
        String cur = value;
        while (true) {
            List<Node> cs = consumers.getOrDefault(cur, List.of());
            if (cs.isEmpty()) {
                return stages;
            }
            if (cs.size() > 1) {
                Node concat = null;
                for (Node c : cs) {
                    Node n = c;
                    while (!n.opType().equals("Concat")) {
                        n = only(output(n), "in an Inception branch");
                    }
                    if (concat != null && concat != n) {
                        throw new Mismatch("the branches from '" + cur + "' do not rejoin in one Concat");
                    }
                    concat = n;
                }
                List<List<Stage>> branches = new ArrayList<>();
                for (String in : concat.inputs()) {
                    List<Node> path = new ArrayList<>();
                    String v = in;
                    while (!v.equals(cur)) {
                        Node p = producers.get(v);
                        if (p == null) {
                            throw new Mismatch("branch value '" + in + "' does not come from '" + cur + "'");
                        }
                        path.addFirst(p);
                        v = input(p);
                    }
                    branches.add(branchStages(path));
                }
                stages.add(new Stage("Inception", List.of(concat), branches));
                cur = output(concat);
                continue;
            }
            Node n = cs.getFirst();
            switch (n.opType()) {
                case "Conv" -> {
                    List<Node> block = new ArrayList<>(List.of(n));
                    Node next = only(output(n), "after a Conv");
                    if (next.opType().equals("BatchNormalization")) {
                        block.add(next);
                        next = only(output(next), "after a BatchNormalization");
                    }
                    if (!next.opType().equals("Relu")) {
                        throw new Mismatch(n.label() + " is followed by " + next.label() + ", expected Relu");
                    }
                    block.add(next);
                    stages.add(new Stage("ConvBlock", block, null));
                    cur = output(next);
                }
                case "Gemm" -> {
                    stages.add(new Stage("Linear", List.of(n), null));
                    cur = output(n);
                }
                case "MatMul" -> {
                    List<Node> block = new ArrayList<>(List.of(n));
                    List<Node> after = consumers.getOrDefault(output(n), List.of());
                    if (after.size() == 1 && after.getFirst().opType().equals("Add")) {
                        block.add(after.getFirst());
                    }
                    stages.add(new Stage("Linear", block, null));
                    cur = output(block.getLast());
                }
                case "Identity" -> cur = output(n);
                case "MaxPool", "AveragePool", "GlobalAveragePool", "LRN", "Flatten", "Reshape", "Dropout",
                     "Softmax" -> {
                    stages.add(new Stage(n.opType().equals("Reshape") ? "Flatten" : n.opType(), List.of(n), null));
                    cur = output(n);
                }
                default -> throw new Mismatch(n.label() + " has no place in a GoogLeNet");
            }
        }
    }

    private List<Stage> branchStages(List<Node> path) throws Mismatch {
        List<Stage> out = new ArrayList<>();
        for (int i = 0; i < path.size(); i++) {
            Node n = path.get(i);
            if (n.opType().equals("MaxPool")) {
                out.add(new Stage("MaxPool", List.of(n), null));
            } else if (n.opType().equals("Conv")) {
                List<Node> block = new ArrayList<>(List.of(n));
                if (i + 1 < path.size() && path.get(i + 1).opType().equals("BatchNormalization")) {
                    block.add(path.get(++i));
                }
                if (i + 1 >= path.size() || !path.get(i + 1).opType().equals("Relu")) {
                    throw new Mismatch(n.label() + " in an Inception branch is not followed by Relu");
                }
                block.add(path.get(++i));
                out.add(new Stage("ConvBlock", block, null));
            } else {
                throw new Mismatch(n.label() + " has no place in an Inception branch");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- binding

    private void bind(Layer layer, Stage s, int[] shape) throws Mismatch {
        switch (layer) {
            case ConvBlock cb -> bindConv(cb, s);
            case MaxPool2d mp -> bindMaxPool(mp, s, shape);
            case Lrn l -> {
                expect(s, "LRN");
                Node n = s.node();
                if (intAttr(n, "size", -1) != l.size() || !close(floatAttr(n, "alpha", 1e-4f), l.alpha())
                        || !close(floatAttr(n, "beta", 0.75f), l.beta()) || !close(floatAttr(n, "bias", 1f), l.k())) {
                    throw new Mismatch("LRN settings differ from " + l);
                }
            }
            case Inception inc -> {
                expect(s, "Inception");
                if (s.branches.size() != 4) {
                    throw new Mismatch("an Inception module has 4 branches, this Concat joins " + s.branches.size());
                }
                for (int b = 0; b < 4; b++) {
                    Layer br = inc.branches().get(b);
                    List<Layer> parts = br instanceof Sequential seq ? seq.layers() : List.of(br);
                    List<Stage> got = s.branches.get(b);
                    if (got.size() != parts.size()) {
                        throw new Mismatch("branch " + (b + 1) + " has " + got.size() + " stages, expected "
                                + parts.size());
                    }
                    for (int k = 0; k < parts.size(); k++) {
                        bind(parts.get(k), got.get(k), shape);
                    }
                }
            }
            case AvgPool2d ap -> bindGlobalPool(s, shape, ap.kernel());
            case AdaptiveAvgPool2d ap -> bindGlobalPool(s, shape, -1);
            case Flatten f -> {
                expect(s, "Flatten");
                Node n = s.node();
                int[] want = f.outputShape(shape);
                if (n.opType().equals("Flatten")) {
                    long axis = intAttr(n, "axis", 1);
                    if (axis != 1 && axis != 1 - shape.length) {
                        throw new Mismatch("Flatten axis " + axis + ", expected 1");
                    }
                } else {
                    long[] target = n.attributes().containsKey("shape") ? n.attributes().get("shape").ints()
                            : n.inputs().size() > 1 && inits.containsKey(n.inputs().get(1))
                            ? inits.get(n.inputs().get(1)).longs() : null;
                    if (target == null) {
                        throw new Mismatch("Reshape to a shape that is not a constant");
                    }
                    int[] got;
                    try {
                        got = OnnxOps.reshapeTarget(shape, target, false);
                    } catch (IllegalArgumentException e) {
                        throw new Mismatch(e.getMessage());
                    }
                    if (!Arrays.equals(got, want)) {
                        throw new Mismatch("Reshape to " + Arrays.toString(target) + " gives " + Shape.toString(got)
                                + ", expected " + Shape.toString(want));
                    }
                }
            }
            case Linear lin -> bindLinear(lin, s);
            default -> throw new Mismatch("no ONNX mapping for " + layer);
        }
    }

    private static void expect(Stage s, String kind) throws Mismatch {
        if (!s.kind.equals(kind)) {
            throw new Mismatch("expected " + kind + ", found " + s.kind);
        }
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
    }

    private OnnxTensor init(Node n, int i, String what) throws Mismatch {
        if (n.inputs().size() <= i || n.inputs().get(i).isEmpty()) {
            return null;
        }
        OnnxTensor t = inits.get(n.inputs().get(i));
        if (t == null || t.type() != OnnxTensor.DataType.FLOAT) {
            throw new Mismatch(n.label() + ": " + what + " '" + n.inputs().get(i) + "' is not a float initializer");
        }
        return t;
    }

    private OnnxTensor weight(Node conv) throws Mismatch {
        OnnxTensor w = init(conv, 1, "weight");
        if (w == null || w.rank() != 4) {
            throw new Mismatch(conv.label() + ": no 4-D weight");
        }
        return w;
    }

    private static void copy(OnnxTensor from, Tensor to, String what) throws Mismatch {
        if (from.size() != to.size()) {
            throw new Mismatch(what + " has shape " + Shape.toString(from.shape()) + ", expected "
                    + Shape.toString(to.shape()));
        }
        System.arraycopy(from.tensor().data(), 0, to.data(), 0, to.size());
    }

    private void bindConv(ConvBlock cb, Stage s) throws Mismatch {
        expect(s, "ConvBlock");
        Node conv = s.nodes.getFirst();
        Node bnNode = s.nodes.size() == 3 ? s.nodes.get(1) : null;
        var c = cb.conv();
        OnnxTensor w = weight(conv);
        if (!w.hasSameShape(c.weight().value().shape())) {
            throw new Mismatch("weight " + w + ", expected " + c.weight().value());
        }
        if (intAttr(conv, "group", 1) != 1 || !allEqual(conv, "dilations", 1) || !allEqual(conv, "strides", c.stride())
                || !allEqual(conv, "pads", c.padding()) || !stringAttr(conv, "auto_pad", "NOTSET").equals("NOTSET")) {
            throw new Mismatch("stride/padding/dilation/group differ from kernel " + c.kernelH() + ", stride "
                    + c.stride() + ", padding " + c.padding());
        }
        copy(w, c.weight().value(), "weight");
        OnnxTensor b = init(conv, 2, "bias");
        if ((b != null) != (c.bias() != null)) {
            throw new Mismatch(b != null ? "biased convolution where a BatchNorm'd one was expected"
                    : "convolution without bias");
        }
        if (b != null) {
            copy(b, c.bias().value(), "bias");
        }
        BatchNorm2d bn = cb.bn();
        if ((bnNode != null) != (bn != null)) {
            throw new Mismatch(bnNode != null ? "unexpected BatchNormalization" : "missing BatchNormalization");
        }
        if (bn != null) {
            if (!close(floatAttr(bnNode, "epsilon", 1e-5f), bn.eps())) {
                throw new Mismatch("BatchNormalization epsilon " + floatAttr(bnNode, "epsilon", 1e-5f) + ", expected "
                        + bn.eps());
            }
            copy(init(bnNode, 1, "scale"), bn.weight().value(), "scale");
            copy(init(bnNode, 2, "bias"), bn.bias().value(), "bias");
            copy(init(bnNode, 3, "mean"), bn.runningMean(), "mean");
            copy(init(bnNode, 4, "var"), bn.runningVar(), "var");
        }
    }

    private void bindMaxPool(MaxPool2d mp, Stage s, int[] shape) throws Mismatch {
        expect(s, "MaxPool");
        Node n = s.node();
        if (!allEqual(n, "kernel_shape", mp.kernel()) || !allEqual(n, "strides", mp.stride())
                || !allEqual(n, "dilations", 1)) {
            throw new Mismatch("window differs from " + mp);
        }
        Pool2d p = new Pool2d(mp.kernel(), mp.kernel(), mp.stride(), mp.stride(), 1, 1, pads(n),
                stringAttr(n, "auto_pad", "NOTSET"), intAttr(n, "ceil_mode", 0) != 0);
        int[] g;
        try {
            g = p.geometry(shape[2], shape[3]);
        } catch (IllegalArgumentException e) {
            throw new Mismatch(e.getMessage());
        }
        int[] ours = mp.outputShape(shape);
        // same head padding and the same number of windows: the same windows, each clipped to the input
        if (g[2] != mp.padding() || g[3] != mp.padding() || g[0] != ours[2] || g[1] != ours[3]) {
            throw new Mismatch("at input " + shape[2] + "×" + shape[3] + " the pooling gives " + g[0] + "×" + g[1]
                    + " with head pads " + g[2] + "," + g[3] + "; " + mp + " gives " + ours[2] + "×" + ours[3]);
        }
    }

    private void bindGlobalPool(Stage s, int[] shape, int kernel) throws Mismatch {
        Node n = s.node();
        if (kernel > 0 && (shape[2] != kernel || shape[3] != kernel)) {
            throw new Mismatch("the " + kernel + "×" + kernel + " average pool needs a " + kernel + "×" + kernel
                    + " map, got " + shape[2] + "×" + shape[3]);
        }
        if (n.opType().equals("GlobalAveragePool")) {
            return;
        }
        expect(s, "AveragePool");
        long[] k = longsAttr(n, "kernel_shape");
        if (k == null || k.length != 2 || k[0] != shape[2] || k[1] != shape[3] || !allEqual(n, "pads", 0)) {
            throw new Mismatch("AveragePool " + Arrays.toString(k) + " does not cover the whole "
                    + shape[2] + "×" + shape[3] + " map");
        }
    }

    private OnnxTensor[] linearWeight(Stage s) throws Mismatch {
        Node n = s.node();
        OnnxTensor w = init(n, 1, "weight");
        if (w == null || w.rank() != 2) {
            throw new Mismatch(n.label() + ": no 2-D weight");
        }
        boolean transB = n.opType().equals("Gemm") && intAttr(n, "transB", 0) != 0;
        if (!transB) { // stored [in, out]: our Linear keeps [out, in]
            int in = w.dim(0);
            int out = w.dim(1);
            float[] t = new float[w.size()];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    t[o * in + i] = w.tensor().data()[i * out + o];
                }
            }
            w = OnnxTensor.ofFloats(t, out, in);
        }
        OnnxTensor b = n.opType().equals("Gemm") ? init(n, 2, "bias")
                : s.nodes.size() > 1 ? init(s.nodes.get(1), 1, "bias") : null;
        return new OnnxTensor[] {w, b};
    }

    private void bindLinear(Linear lin, Stage s) throws Mismatch {
        expect(s, "Linear");
        Node n = s.node();
        if (n.opType().equals("Gemm") && (intAttr(n, "transA", 0) != 0 || !close(floatAttr(n, "alpha", 1f), 1)
                || !close(floatAttr(n, "beta", 1f), 1))) {
            throw new Mismatch("Gemm with transA/alpha/beta other than 0/1/1");
        }
        OnnxTensor[] wb = linearWeight(s);
        copy(wb[0], lin.weight().value(), "weight");
        if (wb[1] == null || wb[1].size() != lin.outFeatures()) {
            throw new Mismatch("classifier bias missing or of the wrong size");
        }
        copy(wb[1], lin.bias().value(), "bias");
    }

    private Float dropoutRatio(Node n) throws Mismatch {
        if (n.attributes().containsKey("ratio")) {
            return n.attributes().get("ratio").f();
        }
        if (n.inputs().size() > 1 && !n.inputs().get(1).isEmpty()) {
            OnnxTensor r = inits.get(n.inputs().get(1));
            return r == null ? null : (float) r.get(0);
        }
        return 0.5f; // ONNX's default ratio
    }

    // ------------------------------------------------------------------------------------------- attributes

    private static long intAttr(Node n, String name, long dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.i();
    }

    private static float floatAttr(Node n, String name, float dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.f();
    }

    private static String stringAttr(Node n, String name, String dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.string();
    }

    private static long[] longsAttr(Node n, String name) {
        Attribute a = n.attributes().get(name);
        return a == null ? null : a.ints();
    }

    private static long[] pads(Node n) {
        long[] p = longsAttr(n, "pads");
        return p == null || p.length != 4 ? new long[4] : p;
    }

    /** Whether every entry of an ints attribute is {@code v} (an absent attribute counts as its default 1 or 0). */
    private static boolean allEqual(Node n, String name, long v) {
        long[] p = longsAttr(n, name);
        if (p == null) {
            return !name.equals("kernel_shape") && v == (name.equals("pads") ? 0 : 1);
        }
        for (long x : p) {
            if (x != v) {
                return false;
            }
        }
        return true;
    }
}
