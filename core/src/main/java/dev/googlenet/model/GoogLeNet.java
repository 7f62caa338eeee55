package dev.googlenet.model;

import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.Concat;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Flatten;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Lrn;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Param;
import dev.googlenet.nn.Sequential;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * GoogLeNet (Inception v1), laid out like the paper's Table 1. Parameter names follow torchvision's state dict
 * ({@code conv1.conv.weight}, {@code inception3a.branch2.1.bn.running_var}, {@code aux1.fc2.bias}, {@code fc.weight}).
 * <p>
 * This class is what the network <em>is</em>: its layers, their names and parameters, and forward and backward
 * run layer by layer. {@link #forward} is eval mode (main logits only, the auxiliary heads never run);
 * {@link #forwardTrain} is a training step's forward, returning all three outputs; {@link #backward} follows
 * either, so gradients in eval mode (saliency, Grad-CAM, fine-tuning with frozen BatchNorm) work as in training.
 * {@link Taps} read activations and gradients at named stages. One instance serves one thread at a time (layers
 * keep their buffers); fast inference shared by threads is an inference plan compiled from it.
 */
public final class GoogLeNet {
    private final GoogLeNetConfig config;
    private final Sequential trunk = new Sequential();
    private final AuxHead aux1;
    private final AuxHead aux2;
    private final int aux1Tap; // index of the trunk layer whose output feeds aux1 (inception4a)
    private final int aux2Tap; // … and aux2 (inception4d)
    private int channels; // output channels of the last stage added, while the constructor runs
    private Taps lastTaps; // the taps of the last forward, which its backward fills in too
    private boolean lastAux; // the last forward ran the auxiliary heads
    private int frozenThrough = -1; // trunk index of the last frozen layer; -1: nothing is frozen
    private int lastFirst; // the trunk layers the last forward ran: lastFirst … lastLast (all of them, but after a
    private int lastLast;  // forwardStages or forwardTrainFrom)

    public GoogLeNet(GoogLeNetConfig config) {
        this.config = config;
        Variant v = config.variant();
        boolean bn = config.batchNorm();
        if (config.smallInput()) {
            smallInputStem(v, bn);
        } else {
            imageNetStem(v, bn);
        }
        // shapes below are at 224×224 and width 1; the small-input network has 14/7/4 where these say 28/14/7
        channels = ch(192);
        inception("inception3a", v);                                   // N × 256 × 28 × 28
        inception("inception3b", v);                                   // N × 480 × 28 × 28
        trunk.add("maxpool3", config.smallInput() ? smallPool() : new MaxPool2d(3, 2, 0, true)); // N × 480 × 14 × 14
        inception("inception4a", v);                                   // N × 512 × 14 × 14 → aux1
        aux1Tap = trunk.layers().size() - 1;
        int aux1In = channels;
        inception("inception4b", v);                                   // N × 512 × 14 × 14
        inception("inception4c", v);                                   // N × 512 × 14 × 14
        inception("inception4d", v);                                   // N × 528 × 14 × 14 → aux2
        aux2Tap = trunk.layers().size() - 1;
        int aux2In = channels;
        inception("inception4e", v);                                   // N × 832 × 14 × 14
        // torchvision pools 2×2/2 here; the paper's 3×3/2 (ceil) gives the same 7×7
        trunk.add("maxpool4", config.smallInput() ? smallPool() : v == Variant.PAPER
                ? new MaxPool2d(3, 2, 0, true) : new MaxPool2d(2, 2, 0, true)); // N × 832 × 7 × 7
        inception("inception5a", v);                                   // N × 832 × 7 × 7
        inception("inception5b", v);                                   // N × 1024 × 7 × 7
        trunk.add("avgpool", v == Variant.PAPER && !config.smallInput()
                ? new AvgPool2d(7, 1, 0, false, false) : new AdaptiveAvgPool2d(1, 1)); // N × 1024 × 1 × 1
        trunk.add("flatten", new Flatten());                           // N × 1024
        trunk.add("dropout", new Dropout(config.dropout(), config.seed() + 1));
        trunk.add("fc", new Linear(channels, config.numClasses(), true)); // N × classes
        if (config.auxHeads() && config.smallInput()) {
            // the 7×7 maps pool to 2×2, as the paper's 5×5/3 pool takes 14×14 to 4×4
            aux1 = new AuxHead(aux1In, config.numClasses(), v, bn, config.auxDropout(), config.seed() + 2,
                    new AdaptiveAvgPool2d(2, 2), 2, ch(128), ch(1024));
            aux2 = new AuxHead(aux2In, config.numClasses(), v, bn, config.auxDropout(), config.seed() + 3,
                    new AdaptiveAvgPool2d(2, 2), 2, ch(128), ch(1024));
        } else if (config.auxHeads()) {
            aux1 = new AuxHead(aux1In, config.numClasses(), v, bn, config.auxDropout(), config.seed() + 2);
            aux2 = new AuxHead(aux2In, config.numClasses(), v, bn, config.auxDropout(), config.seed() + 3);
        } else {
            aux1 = null;
            aux2 = null;
        }
        Init.initialize(this, config.seed());
    }

    /** The paper's stem for 224×224 images: 7×7/2 convolution, pool, 1×1 reduce + 3×3, pool. */
    private void imageNetStem(Variant v, boolean bn) {
        // input                                                          N × 3 × 224 × 224
        trunk.add("conv1", new ConvBlock(config.inputChannels(), ch(64), 7, 2, 3, bn)); // N × 64 × 112 × 112
        trunk.add("maxpool1", new MaxPool2d(3, 2, 0, true));           // N × 64 × 56 × 56
        if (v.lrn()) {
            trunk.add("lrn1", paperLrn());
        }
        trunk.add("conv2", new ConvBlock(ch(64), ch(64), 1, 1, 0, bn));  // N × 64 × 56 × 56   (3×3 reduce)
        trunk.add("conv3", new ConvBlock(ch(64), ch(192), 3, 1, 1, bn)); // N × 192 × 56 × 56
        if (v.lrn()) {
            trunk.add("lrn2", paperLrn());
        }
        trunk.add("maxpool2", new MaxPool2d(3, 2, 0, true));           // N × 192 × 28 × 28
    }

    /**
     * The small-input stem (28×28 or 32×32 images): a 3×3/1 convolution keeps the full resolution, the paper's
     * 1×1 reduce + 3×3 follow, and one 3×3/2 pool halves it, so that (with 3×3/2 pools of padding 1 between the
     * stages) inception 3a/3b see 14×14, 4a–4e 7×7 and 5a/5b 4×4 maps at 28×28 input (16/8/4 at 32×32).
     */
    private void smallInputStem(Variant v, boolean bn) {
        // input                                                          N × C × 28 × 28
        trunk.add("conv1", new ConvBlock(config.inputChannels(), ch(64), 3, 1, 1, bn)); // N × 64 × 28 × 28
        if (v.lrn()) {
            trunk.add("lrn1", paperLrn());
        }
        trunk.add("conv2", new ConvBlock(ch(64), ch(64), 1, 1, 0, bn));  // N × 64 × 28 × 28
        trunk.add("conv3", new ConvBlock(ch(64), ch(192), 3, 1, 1, bn)); // N × 192 × 28 × 28
        if (v.lrn()) {
            trunk.add("lrn2", paperLrn());
        }
        trunk.add("maxpool2", smallPool());                            // N × 192 × 14 × 14
    }

    /** 3×3/2 with padding 1: 28 → 14 → 7 → 4. */
    private static MaxPool2d smallPool() {
        return new MaxPool2d(3, 2, 1, false);
    }

    private int ch(int c) {
        return config.scaled(c);
    }

    private static Lrn paperLrn() {
        return new Lrn(5, 1e-4f, 0.75f, 1f);
    }

    private void inception(String name, Variant v) {
        InceptionSpec spec = InceptionSpec.row(name).scaled(config.width(), channels);
        trunk.add(name, new Inception(spec, v, config.batchNorm()));
        channels = spec.out();
    }

    public GoogLeNetConfig config() {
        return config;
    }

    /** The main path, named as in the state dict; for summaries and exporters. */
    public Sequential trunk() {
        return trunk;
    }

    /** The auxiliary heads, or an empty list when the model was built without them. */
    public List<AuxHead> auxHeads() {
        return aux1 == null ? List.of() : List.of(aux1, aux2);
    }

    /**
     * Eval mode: logits [N, classes] for input [N, C, H, W]; BatchNorm uses running statistics, no dropout, the
     * auxiliary heads never run. This is the definition run layer by layer (what {@link #backward} differentiates);
     * for fast, thread-safe inference compile the model into an inference plan. Returns a copy of the logits.
     */
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /** {@link #forward(Tensor)}, recording the activations at the {@code taps} (null: none). */
    public Tensor forward(Tensor input, Taps taps) {
        return run(input, false, taps).main().copy();
    }

    /**
     * Training forward: batch statistics, dropout, and the auxiliary heads when the model has them. The outputs
     * are the layers' buffers, valid until the next forward; a training step consumes them before that.
     */
    public Outputs forwardTrain(Tensor input) {
        return forwardTrain(input, null);
    }

    /** {@link #forwardTrain(Tensor)}, recording the activations at the {@code taps} (null: none). */
    public Outputs forwardTrain(Tensor input, Taps taps) {
        return run(input, true, taps);
    }

    /**
     * The training forward of the layers after {@code stage} alone, on {@code activation} (what {@code stage}
     * produced: [N, 1024] for {@link Taps#FEATURES}, computed once and cached, say, when everything up to it is
     * frozen). The auxiliary heads do not run; {@link #backward} follows as after {@link #forwardTrain}, and
     * {@code stage} must be frozen, for backward has no inputs to go through below it.
     */
    public Outputs forwardTrainFrom(String stage, Tensor activation) {
        int from = trunk.names().stream().map(GoogLeNet::tapName).toList().indexOf(stage);
        if (from < 0 || from > frozenThrough) {
            throw new IllegalArgumentException("forwardTrainFrom('" + stage + "'): the stage must be a frozen stage "
                    + "of the trunk (frozen through " + frozenThrough() + ")");
        }
        List<Layer> layers = trunk.layers();
        Tensor x = activation;
        for (int i = from + 1; i < layers.size(); i++) {
            x = layers.get(i).forward(x, i > frozenThrough);
        }
        lastTaps = null;
        lastAux = false;
        lastFirst = from + 1;
        lastLast = layers.size() - 1;
        return new Outputs(x, null, null);
    }

    /**
     * Eval mode over part of the trunk: the stages after {@code after} (null: from the input) through
     * {@code through} (null: to the logits), from {@code x}, the activation at {@code after} (or the input). Returns
     * a copy of the activation at {@code through}. A {@link #backward(Tensor)} that follows takes the gradient at
     * {@code through} and returns the one at {@code after}: what DeepDream needs (the objective at a layer) and
     * Grad-CAM (the gradient at a layer, from an activation the inference plan computed). Taps inside the range
     * record as usual.
     */
    public Tensor forwardStages(Tensor x, String after, String through, Taps taps) {
        List<String> names = trunk.names();
        int first = after == null ? 0 : stageIndex(after, names) + 1;
        int last = through == null ? names.size() - 1 : stageIndex(through, names);
        if (last < first) {
            throw new IllegalArgumentException("stage '" + through + "' does not come after '" + after + "'");
        }
        if (first == 0) {
            requireInput(x);
        }
        checkTaps(taps, names);
        List<Layer> layers = trunk.layers();
        for (int i = first; i <= last; i++) {
            x = layers.get(i).forward(x, false);
            if (taps != null) {
                record(taps, names.get(i), x, true);
            }
        }
        lastTaps = taps;
        lastAux = false;
        lastFirst = first;
        lastLast = last;
        return x.copy();
    }

    /** The trunk index of a stage by its tap name ({@code features} is flatten's output). */
    private static int stageIndex(String stage, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (tapName(names.get(i)).equals(stage)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no layer named '" + stage + "'; this model has "
                + names.stream().map(GoogLeNet::tapName).toList());
    }

    private Outputs run(Tensor input, boolean training, Taps taps) {
        requireInput(input);
        List<String> names = trunk.names();
        checkTaps(taps, names);
        List<Layer> layers = trunk.layers();
        lastFirst = 0;
        lastLast = layers.size() - 1;
        Tensor x = input, a1 = null, a2 = null;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, training && i > frozenThrough); // frozen: running statistics, kept
            if (taps != null) {
                record(taps, names.get(i), x, true);
            }
            if (training && aux1 != null && i == aux1Tap) {
                a1 = aux1.forward(x, true);
            } else if (training && aux2 != null && i == aux2Tap) {
                a2 = aux2.forward(x, true);
            }
        }
        lastTaps = taps;
        lastAux = a1 != null;
        return new Outputs(x, a1, a2);
    }

    /**
     * Backward pass of the last forward (training or eval mode): accumulates every parameter's gradient and returns
     * the gradient with respect to the input. Aux gradients may be null (no aux loss); after an eval-mode forward
     * they must be. The taps given to that forward receive their gradients.
     */
    public Tensor backward(Outputs grads) {
        return backward(grads, true);
    }

    /**
     * Eval mode's backward: the gradient of the logits in, the input's out (see {@link #backward(Outputs)}); after
     * {@link #forwardStages}, the gradient at its last stage in and the one at its start out.
     */
    public Tensor backward(Tensor gradLogits) {
        return backward(new Outputs(gradLogits, null, null), true);
    }

    /**
     * As {@link #backward(Outputs)}; without {@code inputGradient} (what training needs) the first convolution
     * skips the gradient of the images, and null is returned. The input gradient returned is a copy, the caller's.
     */
    public Tensor backward(Outputs grads, boolean inputGradient) {
        if ((grads.aux1() != null || grads.aux2() != null) && !lastAux) {
            throw new IllegalStateException("GoogLeNet.backward got auxiliary gradients, but the last forward ran no "
                    + "auxiliary heads (eval mode, or a model without them)");
        }
        List<Layer> layers = trunk.layers();
        List<String> names = trunk.names();
        // backward ends with the first layer the last forward ran, or the first trainable one if that is later
        int first = Math.max(lastFirst, frozenThrough + 1);
        // the gradient below it is read only when returned: the images' when asked, or the one at the start of
        // forwardStages' range
        boolean returned = first == lastFirst && (first > 0 || inputGradient);
        Conv2d firstConv = layers.get(first) instanceof ConvBlock block ? block.conv() : null;
        if (firstConv != null) {
            firstConv.setInputGradient(returned);
        }
        Tensor g = grads.main();
        try {
            for (int i = lastLast; i >= first; i--) {
                if (aux2 != null && i == aux2Tap && grads.aux2() != null) {
                    g = Concat.accumulate(g, aux2.backward(grads.aux2()), false); // in place: nothing else reads g
                } else if (aux1 != null && i == aux1Tap && grads.aux1() != null) {
                    g = Concat.accumulate(g, aux1.backward(grads.aux1()), false);
                }
                if (lastTaps != null) {
                    record(lastTaps, names.get(i), g, false);
                }
                g = layers.get(i).backward(g);
            }
            // a head on a frozen stage still learns; the gradient of its input has nowhere to go
            if (aux2 != null && aux2Tap < first && grads.aux2() != null) {
                aux2.backward(grads.aux2());
            }
            if (aux1 != null && aux1Tap < first && grads.aux1() != null) {
                aux1.backward(grads.aux1());
            }
        } finally {
            if (firstConv != null) {
                firstConv.setInputGradient(true); // as every other layer: the next backward decides again
            }
        }
        if (!returned) {
            return null;
        }
        return g == null ? null : g.copy(); // the layers' gradients live in shared buffers: this one is the caller's
    }

    /**
     * Freezes the trunk up to and including {@code stage} (a trunk stage name, or {@link Taps#FEATURES} for
     * everything the classifier reads; null or "none" unfreezes). Frozen layers run in eval mode during
     * {@link #forwardTrain} (BatchNorm uses its running statistics and leaves them as they are, no dropout),
     * {@link #backward} stops after the first trainable layer (the frozen ones compute no gradient, and the input
     * gradient returned is null), and {@link #trainableParameters()} leaves their parameters out, so an optimizer
     * never changes them. The auxiliary heads always train.
     */
    public void freezeThrough(String stage) {
        int index = -1;
        if (stage != null && !stage.equals("none")) {
            List<String> valid = trunk.names().stream().map(GoogLeNet::tapName).toList();
            index = valid.indexOf(stage);
            if (index < 0 || index == valid.size() - 1) {
                throw new IllegalArgumentException("cannot freeze through '" + stage + "': freeze one of "
                        + valid.subList(0, valid.size() - 1) + " (the classifier 'fc' always trains)");
            }
        }
        frozenThrough = index;
    }

    /** The last frozen stage ({@link #freezeThrough}), or "none". */
    public String frozenThrough() {
        return frozenThrough < 0 ? "none" : tapName(trunk.names().get(frozenThrough));
    }

    /** The parameters training changes: those of the trunk's layers after the frozen ones, and the aux heads'. */
    public List<Param> trainableParameters() {
        List<Param> out = new ArrayList<>();
        List<Layer> layers = trunk.layers();
        List<String> names = trunk.names();
        for (int i = frozenThrough + 1; i < layers.size(); i++) {
            layers.get(i).visitState(names.get(i), (name, p) -> out.add(p));
        }
        for (AuxHead h : auxHeads()) {
            h.visitState("", (name, p) -> out.add(p));
        }
        return out;
    }

    /** The taps' stage names: the trunk's, with {@code features} for flatten's output. */
    private static String tapName(String stage) {
        return stage.equals("flatten") ? Taps.FEATURES : stage;
    }

    private static void record(Taps taps, String stage, Tensor t, boolean activation) {
        String name = tapName(stage);
        if (taps.wants(name)) {
            if (activation) {
                taps.recordActivation(name, t);
            } else {
                taps.recordGradient(name, t);
            }
        }
    }

    private void checkTaps(Taps taps, List<String> names) {
        if (taps == null) {
            return;
        }
        List<String> valid = names.stream().map(GoogLeNet::tapName).toList();
        for (String name : taps.names()) {
            if (!valid.contains(name)) {
                throw new IllegalArgumentException("no layer named '" + name + "' to tap; this model has " + valid);
            }
        }
        taps.clear();
    }

    private void requireInput(Tensor input) {
        if (input.rank() != 4 || input.dim(1) != config.inputChannels()) {
            throw new IllegalArgumentException("GoogLeNet expects input [N," + config.inputChannels() + ",H,W], got "
                    + Shape.toString(input.shape()));
        }
        // fail early with the input's size rather than deep inside a layer
        int minSize = config.smallInput() ? 8 : config.variant() == Variant.PAPER ? 224 : 15;
        if (input.dim(2) < minSize || input.dim(3) < minSize) {
            throw new IllegalArgumentException("GoogLeNet (" + config.variant().name().toLowerCase()
                    + ") needs inputs of at least " + minSize + "×" + minSize + ", got "
                    + input.dim(2) + "×" + input.dim(3));
        }
    }

    /** Visits every parameter and buffer, trunk first, then aux1 and aux2, under state-dict names. */
    public void visitState(Layer.StateVisitor visitor) {
        trunk.visitState("", visitor);
        if (aux1 != null) {
            aux1.visitState("aux1", visitor);
            aux2.visitState("aux2", visitor);
        }
    }

    public List<Param> parameters() {
        List<Param> out = new ArrayList<>();
        visitState((name, p) -> out.add(p));
        return out;
    }

    /** Parameters by state-dict name. */
    public Map<String, Param> namedParameters() {
        Map<String, Param> out = new LinkedHashMap<>();
        visitState((name, p) -> out.put(name, p));
        return out;
    }

    /** Parameters and buffers by state-dict name; the tensors are the live ones, not copies. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visitState(new Layer.StateVisitor() {
            @Override
            public void param(String name, Param p) {
                out.put(name, p.value());
            }

            @Override
            public void buffer(String name, Tensor b) {
                out.put(name, b);
            }
        });
        return out;
    }

    /**
     * Copies a state dict into this model. Every tensor the model has must be present with the same shape;
     * keys the model does not have are an error too, except PyTorch's {@code num_batches_tracked} counters and
     * aux-head weights when this model was built without aux heads (as torchvision drops them).
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = stateDict();
        List<String> missing = new ArrayList<>();
        for (String name : mine.keySet()) {
            if (!state.containsKey(name)) {
                missing.add(name);
            }
        }
        TreeSet<String> unexpected = new TreeSet<>();
        for (String k : state.keySet()) {
            boolean ignorable = k.endsWith("num_batches_tracked") || (aux1 == null && k.startsWith("aux"));
            if (!mine.containsKey(k) && !ignorable) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit GoogLeNet(" + config.variant().name()
                    .toLowerCase() + ", " + config.numClasses() + " classes, aux " + (aux1 != null) + "): "
                    + (missing.isEmpty() ? "" : missing.size() + " missing " + firstFew(missing))
                    + (missing.isEmpty() || unexpected.isEmpty() ? "" : "; ")
                    + (unexpected.isEmpty() ? "" : unexpected.size() + " unexpected " + firstFew(unexpected)));
        }
        // names first (they tell a wrong variant apart), then shapes (a wrong class count, say)
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (!src.hasShape(e.getValue().shape())) {
                throw new IllegalArgumentException("weight '" + e.getKey() + "' has shape "
                        + Shape.toString(src.shape()) + ", the model needs " + Shape.toString(e.getValue().shape()));
            }
        }
        for (var e : mine.entrySet()) {
            float[] src = state.get(e.getKey()).data();
            System.arraycopy(src, 0, e.getValue().data(), 0, src.length);
            e.getValue().markChanged();
        }
    }

    private static String firstFew(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " …";
    }
}
