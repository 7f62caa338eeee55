package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executes an ONNX graph: every node is compiled up front (so an unsupported operator or attribute is reported
 * at load time, naming the node, its op and the file), nodes run in topological order, and intermediate values
 * are dropped after their last use. Inference only. Thread-safe for one caller at a time.
 */
public final class OnnxRunner {
    private final OnnxModel model;
    private final List<Node> order;
    private final List<OnnxOps.Op> ops;
    private final Map<String, Integer> lastUse = new HashMap<>();

    private OnnxRunner(OnnxModel model, List<Node> order, List<OnnxOps.Op> ops) {
        this.model = model;
        this.order = order;
        this.ops = ops;
        for (int i = 0; i < order.size(); i++) {
            for (String in : order.get(i).inputs()) {
                lastUse.put(in, i);
            }
        }
    }

    /** Reads and compiles a model file. */
    public static OnnxRunner load(Path file) throws IOException {
        return of(OnnxIO.read(file));
    }

    /** Compiles a parsed model. */
    public static OnnxRunner of(OnnxModel model) throws OnnxException {
        String src = model.source();
        long opset = model.opset();
        if (opset < 0 || opset > 22) {
            throw new OnnxException(src, "opset " + opset + " is not supported");
        }
        List<Node> order = topologicalOrder(model);
        List<OnnxOps.Op> ops = new ArrayList<>();
        for (Node n : order) {
            ops.add(OnnxOps.compile(n, opset, src));
        }
        return new OnnxRunner(model, order, ops);
    }

    public OnnxModel model() {
        return model;
    }

    /** The nodes in the order they run. */
    public List<Node> nodes() {
        return order;
    }

    private static List<Node> topologicalOrder(OnnxModel model) throws OnnxException {
        OnnxModel.Graph g = model.graph();
        Set<String> available = new HashSet<>(g.initializers().keySet());
        for (ValueInfo v : g.inputs()) {
            available.add(v.name());
        }
        Map<String, Node> producer = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (o.isEmpty()) {
                    continue;
                }
                if (producer.put(o, n) != null || available.contains(o)) {
                    throw new OnnxException(model.source(), n.label() + ": value '" + o + "' is defined twice");
                }
            }
        }
        List<Node> order = new ArrayList<>();
        Set<Node> done = new HashSet<>();
        Set<Node> visiting = new HashSet<>();
        for (Node root : g.nodes()) {
            if (done.contains(root)) {
                continue;
            }
            // iterative depth-first search over producers, so that deep graphs need no deep stack
            Deque<Node> stack = new ArrayDeque<>();
            stack.push(root);
            while (!stack.isEmpty()) {
                Node n = stack.peek();
                if (done.contains(n)) {
                    stack.pop();
                    continue;
                }
                visiting.add(n);
                boolean ready = true;
                for (String in : n.inputs()) {
                    if (in.isEmpty() || available.contains(in)) {
                        continue;
                    }
                    Node p = producer.get(in);
                    if (p == null) {
                        throw new OnnxException(model.source(), n.label() + ": input '" + in
                                + "' is produced by no node, initializer or graph input");
                    }
                    if (!done.contains(p)) {
                        if (visiting.contains(p)) {
                            throw new OnnxException(model.source(), n.label() + ": the graph has a cycle through '"
                                    + in + "'");
                        }
                        stack.push(p);
                        ready = false;
                    }
                }
                if (ready) {
                    stack.pop();
                    visiting.remove(n);
                    done.add(n);
                    order.add(n);
                }
            }
        }
        for (ValueInfo out : g.outputs()) {
            if (!available.contains(out.name()) && !producer.containsKey(out.name())) {
                throw new OnnxException(model.source(), "graph output '" + out.name() + "' is produced by no node");
            }
        }
        return order;
    }

    /** Runs a graph with one input and returns its first output. */
    public Tensor run(Tensor input) throws OnnxException {
        List<ValueInfo> ins = model.graph().realInputs();
        if (ins.size() != 1) {
            throw new OnnxException(model.source(), "the graph has " + ins.size() + " inputs, name them");
        }
        Map<String, OnnxTensor> out = run(Map.of(ins.getFirst().name(), OnnxTensor.of(input)));
        return out.get(model.graph().outputs().getFirst().name()).tensor();
    }

    /** Runs the graph on named inputs; returns every graph output by name, in declaration order, yours to keep. */
    public Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) throws OnnxException {
        String src = model.source();
        OnnxModel.Graph g = model.graph();
        Map<String, OnnxTensor> values = new HashMap<>(g.initializers());
        for (ValueInfo v : g.realInputs()) {
            OnnxTensor t = inputs.get(v.name());
            if (t == null) {
                throw new OnnxException(src, "input '" + v.name() + "' " + v.shapeText() + " was not given (given: "
                        + inputs.keySet() + ")");
            }
            checkInput(v, t);
            values.put(v.name(), t);
        }
        for (String name : inputs.keySet()) {
            if (g.realInputs().stream().noneMatch(v -> v.name().equals(name))) {
                throw new OnnxException(src, "the graph has no input '" + name + "' (inputs: "
                        + g.realInputs().stream().map(ValueInfo::name).toList() + ")");
            }
        }
        Set<String> keep = new HashSet<>();
        g.outputs().forEach(v -> keep.add(v.name()));
        for (int i = 0; i < order.size(); i++) {
            Node n = order.get(i);
            OnnxTensor[] args = new OnnxTensor[n.inputs().size()];
            for (int j = 0; j < args.length; j++) {
                String name = n.inputs().get(j);
                args[j] = name.isEmpty() ? null : values.get(name);
            }
            OnnxTensor[] outs;
            try {
                outs = ops.get(i).run(args);
            } catch (RuntimeException e) {
                throw new OnnxException(src, n.label() + ": " + e.getMessage() + " (inputs "
                        + describe(args) + ")", e);
            }
            for (int j = 0; j < n.outputs().size() && j < outs.length; j++) {
                if (!n.outputs().get(j).isEmpty()) {
                    values.put(n.outputs().get(j), outs[j]);
                }
            }
            for (String in : n.inputs()) { // free what no later node reads
                if (lastUse.getOrDefault(in, -1) == i && !keep.contains(in) && !g.initializers().containsKey(in)) {
                    values.remove(in);
                }
            }
        }
        Map<String, OnnxTensor> result = new LinkedHashMap<>();
        for (ValueInfo v : g.outputs()) {
            OnnxTensor t = values.get(v.name());
            if (t == null) {
                throw new OnnxException(src, "graph output '" + v.name() + "' was not produced");
            }
            // copied: ops may hand back an engine layer's buffer (reused on the next run) or an initializer
            result.put(v.name(), t.copy());
        }
        return result;
    }

    private void checkInput(ValueInfo v, OnnxTensor t) throws OnnxException {
        if (v.elemType() != 0 && v.elemType() != t.type().code()) {
            throw new OnnxException(model.source(), "input '" + v.name() + "' must be "
                    + OnnxTensor.DataType.nameOf(v.elemType()) + ", got " + t.type());
        }
        if (!v.accepts(t.shape())) {
            throw new OnnxException(model.source(), "input '" + v.name() + "' has shape " + Shape.toString(t.shape())
                    + ", the model declares " + v.shapeText());
        }
    }

    private static String describe(OnnxTensor[] args) {
        List<String> s = new ArrayList<>();
        for (OnnxTensor t : args) {
            s.add(t == null ? "-" : t.toString());
        }
        return String.join(", ", s);
    }
}
