package dev.googlenet.onnx;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Pooling;
import dev.googlenet.kernels.Softmax;
import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Lrn;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxTensor.DataType;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ONNX operators this runtime executes, each compiled once from its node (attributes checked and defaulted
 * per opset) into an {@link Op}. Float values are the engine's {@link Tensor}s, and the work goes to the engine
 * wherever ONNX's definition fits it: convolution, LRN, BatchNormalization (inference) and average pooling run
 * on the engine's layers; max pooling, ReLU, Gemm/MatMul and Softmax/LogSoftmax on its kernels. What is left is
 * ONNX's own: broadcasting, shape ops on INT64 values, training-mode BatchNormalization, and the pooling windows
 * the engine has no kernel for (see {@link Pool2d}).
 */
final class OnnxOps {
    private OnnxOps() {
    }

    /** A compiled node: maps its inputs (null where an optional input is absent) to its outputs. */
    interface Op {
        OnnxTensor[] run(OnnxTensor[] in);
    }

    /** The ops of the default domain this runtime supports. */
    static final Set<String> SUPPORTED = new TreeSet<>(List.of("Add", "AveragePool", "BatchNormalization", "Concat",
            "Constant", "Conv", "Dropout", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool",
            "Identity", "LRN", "LogSoftmax", "MatMul", "MaxPool", "Mul", "Relu", "Reshape", "Sigmoid", "Softmax",
            "Sum", "Transpose"));

    static Op compile(Node node, long opset, String source) throws OnnxException {
        String domain = node.domain();
        Attrs a = new Attrs(node, source);
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            throw a.error("operator domain '" + domain + "' is not supported (only the default ONNX domain)");
        }
        if (opset < 1) {
            throw a.error("the model imports no opset of the default ONNX domain");
        }
        if (!SUPPORTED.contains(node.opType())) {
            throw a.error("operator " + node.opType() + " is not supported (supported: " + SUPPORTED + ")");
        }
        a.ignore("consumed_inputs"); // opset-1 bookkeeping with no meaning for execution
        Op op = switch (node.opType()) {
            case "Conv" -> conv(a);
            case "MaxPool" -> maxPool(a, node);
            case "AveragePool" -> averagePool(a);
            case "GlobalAveragePool" -> in -> one(AdaptiveAvgPool2d.global()
                    .forward(float4(in[0], "GlobalAveragePool"), false));
            case "GlobalMaxPool" -> in -> one(globalMax(float4(in[0], "GlobalMaxPool")));
            case "Relu" -> in -> {
                Tensor x = floats(in[0], "Relu");
                Tensor y = Tensor.zeros(x.shape());
                Elementwise.relu(x.data(), y.data(), x.size());
                return one(y);
            };
            case "Sigmoid" -> in -> one(map(in[0], v -> (float) (1 / (1 + Math.exp(-v)))));
            case "Identity" -> in -> one(in[0]);
            case "LRN" -> lrn(a);
            case "Concat" -> concat(a, opset);
            case "BatchNormalization" -> batchNorm(a, opset, node);
            case "Dropout" -> dropout(a, opset, node);
            case "Flatten" -> flatten(a);
            case "Reshape" -> reshape(a, opset);
            case "Gemm" -> gemm(a, opset);
            case "MatMul" -> in -> one(matmul(in[0], in[1]));
            case "Add" -> binary(a, opset, Float::sum);
            case "Mul" -> binary(a, opset, (x, y) -> x * y);
            case "Sum" -> in -> {
                OnnxTensor acc = in[0];
                for (int i = 1; i < in.length; i++) {
                    acc = broadcast(acc, in[i], Float::sum);
                }
                return one(acc);
            };
            case "Softmax" -> softmax(a, opset, false);
            case "LogSoftmax" -> softmax(a, opset, true);
            case "Transpose" -> transpose(a);
            case "Gather" -> gather(a);
            case "Constant" -> constant(a);
            default -> throw a.error("operator " + node.opType() + " is not supported");
        };
        a.done();
        return op;
    }

    /**
     * Fails, before anything is allocated, when a result of these dimensions cannot be held: more elements than
     * a Java array takes, or more than half of the heap. A file can ask for any size (huge pads, a Gather or a
     * broadcast that multiplies its inputs); this keeps that a clear error naming the node instead of an
     * OutOfMemoryError.
     */
    static void requireAllocatable(String who, long... dims) {
        double elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        double bytes = elements * Float.BYTES;
        if (elements > Integer.MAX_VALUE - 8 || bytes > Runtime.getRuntime().maxMemory() / 2.0) {
            throw new IllegalArgumentException(who + ": a result of " + Arrays.toString(dims) + " ("
                    + String.format(java.util.Locale.ROOT, "%.3g", elements) + " elements) is too large for this "
                    + "JVM's memory");
        }
    }

    private static long[] longs(int[] shape) {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    private static OnnxTensor[] one(OnnxTensor t) {
        return new OnnxTensor[] {t};
    }

    private static OnnxTensor[] one(Tensor t) {
        return one(OnnxTensor.of(t));
    }

    /** The float value of an input, or an error naming the op. */
    private static Tensor floats(OnnxTensor t, String who) {
        requireFloat(t, who);
        return t.tensor();
    }

    private static Tensor float4(OnnxTensor t, String who) {
        requireFloat(t, who);
        if (t.rank() != 4) {
            throw new IllegalArgumentException(who + ": only 2-D [N,C,H,W] input is supported, got "
                    + Shape.toString(t.shape()));
        }
        return t.tensor();
    }

    private static void requireFloat(OnnxTensor t, String who) {
        if (t.type() != DataType.FLOAT) {
            throw new IllegalArgumentException(who + ": input of type " + t.type() + " is not supported (only FLOAT)");
        }
    }

    interface FloatOp {
        float apply(float v);
    }

    interface FloatOp2 {
        float apply(float a, float b);
    }

    private static OnnxTensor map(OnnxTensor x, FloatOp f) {
        float[] in = floats(x, "elementwise op").data();
        Tensor y = Tensor.zeros(x.shape());
        float[] out = y.data();
        for (int i = 0; i < in.length; i++) {
            out[i] = f.apply(in[i]);
        }
        return OnnxTensor.of(y);
    }

    // ------------------------------------------------------------------------------------------------ windows

    private static String autoPad(Attrs a) throws OnnxException {
        String p = a.s("auto_pad", "NOTSET");
        if (!Set.of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").contains(p)) {
            throw a.error("attribute auto_pad='" + p + "' is not supported");
        }
        return p;
    }

    /** A 2-element per-axis attribute (strides, dilations, kernel_shape), or the default. */
    private static int[] pair(Attrs a, String name, int dflt) throws OnnxException {
        long[] v = a.ints(name);
        if (v == null) {
            return new int[] {dflt, dflt};
        }
        if (v.length != 2) {
            throw a.error("attribute " + name + "=" + Arrays.toString(v) + ": only 2-D windows are supported");
        }
        if (v[0] < 1 || v[1] < 1 || v[0] > 1 << 20 || v[1] > 1 << 20) {
            throw a.error("attribute " + name + "=" + Arrays.toString(v) + " is invalid");
        }
        return new int[] {(int) v[0], (int) v[1]};
    }

    private static long[] pads(Attrs a) throws OnnxException {
        long[] p = a.ints("pads");
        if (p == null) {
            return new long[4];
        }
        if (p.length != 4) {
            throw a.error("attribute pads=" + Arrays.toString(p) + ": only 2-D windows are supported");
        }
        for (long v : p) {
            if (v < 0 || v > 1 << 20) {
                throw a.error("attribute pads=" + Arrays.toString(p) + " is invalid");
            }
        }
        return p;
    }

    private static Pool2d window(Attrs a, boolean hasCeil) throws OnnxException {
        String autoPad = autoPad(a);
        long[] ks = a.ints("kernel_shape");
        if (ks == null) {
            throw a.error("required attribute 'kernel_shape' is missing");
        }
        int[] k = pair(a, "kernel_shape", 1);
        int[] s = pair(a, "strides", 1);
        int[] d = pair(a, "dilations", 1);
        long[] p = pads(a);
        // ONNX Runtime's rule too: a pad as wide as the window would make windows of padding alone, and lets a
        // file ask for outputs of any size
        if (p[0] >= k[0] || p[2] >= k[0] || p[1] >= k[1] || p[3] >= k[1]) {
            throw a.error("attribute pads=" + Arrays.toString(p) + " is not supported: pads must be smaller than "
                    + "the kernel " + Arrays.toString(k));
        }
        boolean ceil = hasCeil && a.i("ceil_mode", 0) != 0;
        return new Pool2d(k[0], k[1], s[0], s[1], d[0], d[1], p, autoPad, ceil);
    }

    private static Op maxPool(Attrs a, Node node) throws OnnxException {
        Pool2d pool = window(a, true);
        a.require("storage_order", a.i("storage_order", 0), 0);
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
            throw a.error("the Indices output of MaxPool is not supported");
        }
        return in -> {
            OnnxTensor x = in[0];
            if (x.rank() != 4) {
                throw new IllegalArgumentException("MaxPool: only 2-D [N,C,H,W] input is supported, got "
                        + Shape.toString(x.shape()));
            }
            if (x.type() == DataType.FLOAT) {
                return one(pool.max(x.tensor()));
            }
            if (x.type() == DataType.UINT8 || x.type() == DataType.INT8) { // exact in float: pooled as floats
                long[] l = x.longs();
                float[] f = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    f[i] = l[i];
                }
                Tensor y = pool.max(Tensor.of(f, x.shape()));
                long[] out = new long[y.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (long) y.data()[i];
                }
                return one(OnnxTensor.ofLongs(x.type(), out, y.shape()));
            }
            throw new IllegalArgumentException("MaxPool: input type " + x.type() + " is not supported");
        };
    }

    private static Op averagePool(Attrs a) throws OnnxException {
        Pool2d pool = window(a, true);
        boolean include = a.i("count_include_pad", 0) != 0;
        return in -> {
            return one(pool.average(float4(in[0], "AveragePool"), include));
        };
    }

    /** One window as large as the map: the engine's max pooling with kernel max(H, W) and one output. */
    private static Tensor globalMax(Tensor x) {
        Tensor y = Tensor.zeros(x.dim(0), x.dim(1), 1, 1);
        Pooling.maxPool(x.data(), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), Math.max(x.dim(2), x.dim(3)), 1, 0, 1, 1,
                y.data(), null);
        return y;
    }

    // ----------------------------------------------------------------------------------------- convolution

    private static Op conv(Attrs a) throws OnnxException {
        String autoPad = autoPad(a);
        long[] ks = a.ints("kernel_shape");
        int[] s = pair(a, "strides", 1);
        int[] d = pair(a, "dilations", 1);
        long[] p = pads(a);
        long group = a.i("group", 1);
        if (group != 1) {
            throw a.error("attribute group=" + group + " is not supported (only 1)");
        }
        if (d[0] != 1 || d[1] != 1) {
            throw a.error("attribute dilations=" + Arrays.toString(d) + " is not supported (only 1)");
        }
        if (s[0] != s[1]) {
            throw a.error("attribute strides=" + Arrays.toString(s) + " is not supported (equal strides only)");
        }
        return new Op() {
            private Conv2d layer; // built on the first run, again only when the weights are other tensors
            private Tensor w;
            private Tensor b;
            private int padding;

            @Override
            public OnnxTensor[] run(OnnxTensor[] in) {
                Tensor x = floats(in[0], "Conv");
                Tensor wt = floats(in[1], "Conv");
                Tensor bt = in.length > 2 && in[2] != null ? floats(in[2], "Conv") : null;
                if (x.rank() != 4 || wt.rank() != 4 || wt.dim(1) != x.dim(1)) {
                    throw new IllegalArgumentException("Conv: input " + Shape.toString(x.shape()) + " and weight "
                            + Shape.toString(wt.shape()) + " do not fit (only 2-D, group 1)");
                }
                int kh = wt.dim(2);
                int kw = wt.dim(3);
                if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
                    throw new IllegalArgumentException("Conv: kernel_shape " + Arrays.toString(ks)
                            + " does not match weight " + Shape.toString(wt.shape()));
                }
                if (bt != null && (bt.rank() != 1 || bt.dim(0) != wt.dim(0))) {
                    throw new IllegalArgumentException("Conv: bias " + Shape.toString(bt.shape()) + " does not fit "
                            + wt.dim(0) + " output channels");
                }
                int[] gy = Pool2d.axis(x.dim(2), kh, s[0], 1, p[0], p[2], autoPad, false);
                int[] gx = Pool2d.axis(x.dim(3), kw, s[1], 1, p[1], p[3], autoPad, false);
                int top = gy[1];
                int bottom = gy[2];
                int left = gx[1];
                int right = gx[2];
                requireAllocatable("Conv", x.dim(0), wt.dim(0), gy[0], gx[0]);
                requireAllocatable("Conv", x.dim(0), x.dim(1), (long) x.dim(2) + top + bottom,
                        (long) x.dim(3) + left + right);
                boolean symmetric = top == bottom && top == left && top == right && top < Math.min(kh, kw);
                int pad = symmetric ? top : 0;
                // the engine's convolution pads the same on all sides; ONNX's other paddings are copied in first
                Tensor input = symmetric ? x : zeroPad(x, top, left, bottom, right);
                if (layer == null || w != wt || b != bt || padding != pad) {
                    layer = new Conv2d(wt.dim(1), wt.dim(0), kh, kw, s[0], pad, bt != null);
                    System.arraycopy(wt.data(), 0, layer.weight().value().data(), 0, wt.size());
                    if (bt != null) {
                        System.arraycopy(bt.data(), 0, layer.bias().value().data(), 0, bt.size());
                    }
                    w = wt;
                    b = bt;
                    padding = pad;
                }
                Tensor y = layer.forward(input, false);
                if (y.dim(2) != gy[0] || y.dim(3) != gx[0]) {
                    throw new IllegalStateException("Conv: output " + Shape.toString(y.shape()) + " but expected "
                            + gy[0] + "x" + gx[0]);
                }
                return one(y);
            }
        };
    }

    private static Tensor zeroPad(Tensor x, int top, int left, int bottom, int right) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int ph = h + top + bottom;
        int pw = w + left + right;
        Tensor y = Tensor.zeros(n, c, ph, pw);
        float[] src = x.data();
        float[] dst = y.data();
        for (int p = 0; p < n * c; p++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(src, (p * h + r) * w, dst, (p * ph + r + top) * pw + left, w);
            }
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------- normalization

    private static Op lrn(Attrs a) throws OnnxException {
        float alpha = a.f("alpha", 1e-4f);
        float beta = a.f("beta", 0.75f);
        float bias = a.f("bias", 1f);
        long size = a.requiredInt("size");
        if (size < 1 || size > 1 << 16) {
            throw a.error("attribute size=" + size + " is invalid");
        }
        return in -> {
            Tensor x = float4(in[0], "LRN");
            return one(new Lrn((int) size, alpha, beta, bias).forward(x, false));
        };
    }

    private static Op batchNorm(Attrs a, long opset, Node node) throws OnnxException {
        float eps = a.f("epsilon", 1e-5f);
        float momentum = a.f("momentum", 0.9f);
        a.ignore("is_test"); // opset < 7: inference is what this runtime does
        a.require("spatial", a.i("spatial", 1), 1);
        boolean training = a.i("training_mode", 0) != 0;
        if (!training && node.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty()) && opset >= 14) {
            throw a.error("running statistics outputs need training_mode=1");
        }
        if (opset < 14 && node.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw a.error("training outputs (mean, var, saved statistics) are not supported before opset 14");
        }
        return in -> {
            OnnxTensor x = in[0];
            requireFloat(x, "BatchNormalization");
            int c = x.rank() >= 2 ? x.dim(1) : -1;
            for (int i = 1; i <= 4; i++) {
                if (in.length <= i || in[i] == null || in[i].type() != DataType.FLOAT || in[i].rank() != 1
                        || in[i].dim(0) != c) {
                    throw new IllegalArgumentException("BatchNormalization: input " + i + " should be [" + c + "]");
                }
            }
            int n = x.dim(0);
            int inner = x.size() / Math.max(1, n * c);
            if (training) {
                return batchNormTraining(x, in, n, c, inner, eps, momentum);
            }
            BatchNorm2d bn = new BatchNorm2d(c, eps, 0.1f);
            System.arraycopy(in[1].tensor().data(), 0, bn.weight().value().data(), 0, c);
            System.arraycopy(in[2].tensor().data(), 0, bn.bias().value().data(), 0, c);
            System.arraycopy(in[3].tensor().data(), 0, bn.runningMean().data(), 0, c);
            System.arraycopy(in[4].tensor().data(), 0, bn.runningVar().data(), 0, c);
            // any rank [N,C,…] is [N,C,inner,1] to the engine's layer
            Tensor y = bn.forward(x.tensor().reshape(n, c, inner, 1), false);
            return one(y.reshape(x.shape()));
        };
    }

    /** Training mode (opset 14+): batch statistics; running stats move as {@code r·momentum + batch·(1−momentum)}. */
    private static OnnxTensor[] batchNormTraining(OnnxTensor x, OnnxTensor[] in, int n, int c, int inner, float eps,
                                                  float momentum) {
        float[] d = x.tensor().data();
        float[] y = new float[d.length];
        float[] runMean = new float[c];
        float[] runVar = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < inner; j++) {
                    sum += d[(i * c + ch) * inner + j];
                }
            }
            double count = (double) n * inner;
            double mean = sum / count;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < inner; j++) {
                    double v = d[(i * c + ch) * inner + j] - mean;
                    ss += v * v;
                }
            }
            double var = ss / count;
            double inv = 1 / Math.sqrt(var + eps);
            float scale = in[1].tensor().data()[ch];
            float bias = in[2].tensor().data()[ch];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < inner; j++) {
                    int k = (i * c + ch) * inner + j;
                    y[k] = (float) ((d[k] - mean) * inv * scale + bias);
                }
            }
            runMean[ch] = (float) (in[3].tensor().data()[ch] * momentum + mean * (1 - momentum));
            runVar[ch] = (float) (in[4].tensor().data()[ch] * momentum + var * (1 - momentum));
        }
        return new OnnxTensor[] {OnnxTensor.ofFloats(y, x.shape()), OnnxTensor.ofFloats(runMean, c),
            OnnxTensor.ofFloats(runVar, c)};
    }

    private static Op dropout(Attrs a, long opset, Node node) throws OnnxException {
        a.ignore("is_test", "seed"); // inference: no randomness
        float ratio = a.f("ratio", 0.5f); // opset < 12; later the ratio is an input
        if (!(ratio >= 0 && ratio < 1)) {
            throw a.error("attribute ratio=" + ratio + " is invalid");
        }
        boolean maskWanted = node.outputs().size() > 1 && !node.outputs().get(1).isEmpty();
        return in -> {
            OnnxTensor x = in[0];
            boolean training = in.length > 2 && in[2] != null && in[2].get(0) != 0;
            double r = in.length > 1 && in[1] != null ? in[1].get(0) : 0.5;
            if (training && r != 0) {
                throw new IllegalArgumentException("Dropout: training_mode=true is not supported (inference only)");
            }
            if (!maskWanted) {
                return one(x);
            }
            OnnxTensor mask;
            if (opset >= 10) {
                long[] ones = new long[x.size()];
                Arrays.fill(ones, 1);
                mask = OnnxTensor.ofLongs(DataType.BOOL, ones, x.shape());
            } else {
                float[] ones = new float[x.size()];
                Arrays.fill(ones, 1f);
                mask = OnnxTensor.ofFloats(ones, x.shape());
            }
            return new OnnxTensor[] {x, mask};
        };
    }

    // ------------------------------------------------------------------------------------------------- shapes

    private static Op flatten(Attrs a) throws OnnxException {
        long axis = a.i("axis", 1);
        return in -> {
            OnnxTensor x = in[0];
            int r = x.rank();
            int ax = (int) (axis < 0 ? axis + r : axis);
            if (ax < 0 || ax > r) {
                throw new IllegalArgumentException("Flatten: axis " + axis + " out of range for rank " + r);
            }
            long outer = Shape.size(Arrays.copyOfRange(x.shape(), 0, ax));
            long inner = Shape.size(Arrays.copyOfRange(x.shape(), ax, r));
            return one(x.reshape((int) outer, (int) inner));
        };
    }

    private static Op reshape(Attrs a, long opset) throws OnnxException {
        long[] attrShape = opset < 5 ? a.ints("shape") : null;
        boolean allowZero = a.i("allowzero", 0) != 0;
        if (opset < 5 && attrShape == null) {
            throw a.error("required attribute 'shape' is missing (Reshape before opset 5)");
        }
        return in -> {
            OnnxTensor x = in[0];
            long[] target;
            if (attrShape != null) {
                target = attrShape;
            } else {
                if (in.length < 2 || in[1] == null || in[1].type() != DataType.INT64 || in[1].rank() != 1) {
                    throw new IllegalArgumentException("Reshape: the shape input must be a 1-D INT64 tensor");
                }
                target = in[1].longs();
            }
            return one(x.reshape(reshapeTarget(x.shape(), target, allowZero)));
        };
    }

    static int[] reshapeTarget(int[] from, long[] target, boolean allowZero) {
        int[] out = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("Reshape: more than one -1 in " + Arrays.toString(target));
                }
                infer = i;
                continue;
            }
            if (t == 0 && !allowZero) {
                if (i >= from.length) {
                    throw new IllegalArgumentException("Reshape: 0 at position " + i + " but input has rank " + from.length);
                }
                t = from[i];
            }
            if (t < 0 || t > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Reshape: invalid dimension " + t + " in " + Arrays.toString(target));
            }
            out[i] = (int) t;
            known *= t;
        }
        long total = Shape.size(from);
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException("Reshape: cannot infer -1 for " + Shape.toString(from) + " → "
                        + Arrays.toString(target));
            }
            out[infer] = (int) (total / known);
        } else if (known != total) {
            throw new IllegalArgumentException("Reshape: " + Shape.toString(from) + " has " + total
                    + " elements, target " + Arrays.toString(target) + " has " + known);
        }
        return out;
    }

    private static Op concat(Attrs a, long opset) throws OnnxException {
        long axis = opset < 4 ? a.i("axis", 1) : a.requiredInt("axis");
        return in -> {
            OnnxTensor first = in[0];
            int r = first.rank();
            int ax = (int) (axis < 0 ? axis + r : axis);
            if (ax < 0 || ax >= r) {
                throw new IllegalArgumentException("Concat: axis " + axis + " out of range for rank " + r);
            }
            int[] shape = first.shape();
            int total = 0;
            for (OnnxTensor t : in) {
                if (t.rank() != r || t.type() != first.type()) {
                    throw new IllegalArgumentException("Concat: inputs differ in rank or type");
                }
                for (int i = 0; i < r; i++) {
                    if (i != ax && t.dim(i) != shape[i]) {
                        throw new IllegalArgumentException("Concat: input " + Shape.toString(t.shape())
                                + " does not fit " + Shape.toString(shape) + " along axis " + ax);
                    }
                }
                total += t.dim(ax);
            }
            shape[ax] = total;
            requireAllocatable("Concat", longs(shape));
            int outer = (int) Shape.size(Arrays.copyOfRange(shape, 0, ax));
            int inner = (int) Shape.size(Arrays.copyOfRange(shape, ax + 1, r));
            boolean f = first.type().isFloat();
            float[] of = f ? new float[(int) Shape.size(shape)] : null;
            long[] ol = f ? null : new long[(int) Shape.size(shape)];
            int offset = 0;
            for (OnnxTensor t : in) {
                int chunk = t.dim(ax) * inner;
                for (int o = 0; o < outer; o++) {
                    if (f) {
                        System.arraycopy(t.tensor().data(), o * chunk, of, o * total * inner + offset, chunk);
                    } else {
                        System.arraycopy(t.longs(), o * chunk, ol, o * total * inner + offset, chunk);
                    }
                }
                offset += chunk;
            }
            return one(f ? OnnxTensor.ofFloats(of, shape) : OnnxTensor.ofLongs(first.type(), ol, shape));
        };
    }

    private static Op transpose(Attrs a) throws OnnxException {
        long[] perm = a.ints("perm");
        return in -> {
            OnnxTensor x = in[0];
            int r = x.rank();
            int[] p = new int[r];
            for (int i = 0; i < r; i++) {
                p[i] = perm == null ? r - 1 - i : (int) perm[i];
            }
            if (perm != null && perm.length != r) {
                throw new IllegalArgumentException("Transpose: perm " + Arrays.toString(perm) + " for rank " + r);
            }
            int[] shape = x.shape();
            int[] out = new int[r];
            for (int i = 0; i < r; i++) {
                out[i] = shape[p[i]];
            }
            int[] inStrides = strides(shape);
            int n = x.size();
            int[] src = new int[n];
            int[] idx = new int[r];
            for (int k = 0; k < n; k++) {
                int off = 0;
                for (int i = 0; i < r; i++) {
                    off += idx[i] * inStrides[p[i]];
                }
                src[k] = off;
                for (int i = r - 1; i >= 0; i--) {
                    if (++idx[i] < out[i]) {
                        break;
                    }
                    idx[i] = 0;
                }
            }
            return one(gatherFlat(x, src, out));
        };
    }

    private static OnnxTensor gatherFlat(OnnxTensor x, int[] src, int[] shape) {
        if (x.type().isFloat()) {
            float[] d = x.tensor().data();
            float[] o = new float[src.length];
            for (int i = 0; i < src.length; i++) {
                o[i] = d[src[i]];
            }
            return OnnxTensor.ofFloats(o, shape);
        }
        long[] d = x.longs();
        long[] o = new long[src.length];
        for (int i = 0; i < src.length; i++) {
            o[i] = d[src[i]];
        }
        return OnnxTensor.ofLongs(x.type(), o, shape);
    }

    private static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    private static Op gather(Attrs a) throws OnnxException {
        long axis = a.i("axis", 0);
        return in -> {
            OnnxTensor x = in[0];
            OnnxTensor idx = in[1];
            if (idx.type() != DataType.INT64 && idx.type() != DataType.INT32) {
                throw new IllegalArgumentException("Gather: indices must be INT64 or INT32, got " + idx.type());
            }
            int r = x.rank();
            int ax = (int) (axis < 0 ? axis + r : axis);
            if (ax < 0 || ax >= r) {
                throw new IllegalArgumentException("Gather: axis " + axis + " out of range for rank " + r);
            }
            int[] shape = x.shape();
            int outer = (int) Shape.size(Arrays.copyOfRange(shape, 0, ax));
            int inner = (int) Shape.size(Arrays.copyOfRange(shape, ax + 1, r));
            int dimAx = shape[ax];
            int[] out = new int[r - 1 + idx.rank()];
            System.arraycopy(shape, 0, out, 0, ax);
            System.arraycopy(idx.shape(), 0, out, ax, idx.rank());
            System.arraycopy(shape, ax + 1, out, ax + idx.rank(), r - ax - 1);
            long[] ids = idx.longs();
            requireAllocatable("Gather", outer, ids.length, inner);
            int[] src = new int[outer * ids.length * inner];
            int k = 0;
            for (int o = 0; o < outer; o++) {
                for (long id : ids) {
                    long j = id < 0 ? id + dimAx : id;
                    if (j < 0 || j >= dimAx) {
                        throw new IllegalArgumentException("Gather: index " + id + " out of range [" + -dimAx + ","
                                + dimAx + ")");
                    }
                    for (int i = 0; i < inner; i++) {
                        src[k++] = (int) ((o * (long) dimAx + j) * inner + i);
                    }
                }
            }
            return one(gatherFlat(x, src, out));
        };
    }

    private static Op constant(Attrs a) throws OnnxException {
        OnnxTensor value = a.tensor("value");
        if (value == null) {
            throw a.error("only Constant with a 'value' tensor is supported");
        }
        return in -> one(value);
    }

    // ------------------------------------------------------------------------------------------------ algebra

    private static Op gemm(Attrs a, long opset) throws OnnxException {
        float alpha = a.f("alpha", 1f);
        float beta = a.f("beta", 1f);
        boolean transA = a.i("transA", 0) != 0;
        boolean transB = a.i("transB", 0) != 0;
        if (opset < 7) {
            a.i("broadcast", 0); // before opset 7 C broadcasts only when asked; we broadcast whenever shapes allow
        }
        return in -> {
            OnnxTensor ta = in[0];
            OnnxTensor tb = in[1];
            OnnxTensor tc = in.length > 2 ? in[2] : null;
            requireFloat(ta, "Gemm");
            requireFloat(tb, "Gemm");
            if (ta.rank() != 2 || tb.rank() != 2) {
                throw new IllegalArgumentException("Gemm: A and B must be 2-D, got " + Shape.toString(ta.shape())
                        + " and " + Shape.toString(tb.shape()));
            }
            int m = transA ? ta.dim(1) : ta.dim(0);
            int k = transA ? ta.dim(0) : ta.dim(1);
            int kb = transB ? tb.dim(1) : tb.dim(0);
            int n = transB ? tb.dim(0) : tb.dim(1);
            if (k != kb) {
                throw new IllegalArgumentException("Gemm: A " + Shape.toString(ta.shape()) + " and B "
                        + Shape.toString(tb.shape()) + " do not fit (transA " + transA + ", transB " + transB + ")");
            }
            requireAllocatable("Gemm", m, n);
            float[] y = new float[m * n];
            Kernels.gemm().sgemm(transA, transB, m, n, k, ta.tensor().data(), 0, ta.dim(1), tb.tensor().data(), 0, tb.dim(1),
                    0f, y, 0, n);
            if (alpha != 1f) {
                for (int i = 0; i < y.length; i++) {
                    y[i] *= alpha;
                }
            }
            OnnxTensor out = OnnxTensor.ofFloats(y, m, n);
            if (tc != null && beta != 0f) {
                requireFloat(tc, "Gemm");
                OnnxTensor c = beta == 1f ? tc : map(tc, v -> v * beta);
                out = broadcast(out, c, Float::sum);
                if (out.rank() != 2 || out.dim(0) != m || out.dim(1) != n) {
                    throw new IllegalArgumentException("Gemm: C " + Shape.toString(tc.shape())
                            + " does not broadcast to [" + m + "," + n + "]");
                }
            }
            return one(out);
        };
    }

    /** numpy matmul: 1-D operands are promoted, leading (batch) dimensions broadcast. */
    static OnnxTensor matmul(OnnxTensor a, OnnxTensor b) {
        requireFloat(a, "MatMul");
        requireFloat(b, "MatMul");
        int[] as = a.shape();
        int[] bs = b.shape();
        boolean aVec = as.length == 1;
        boolean bVec = bs.length == 1;
        if (aVec) {
            as = new int[] {1, as[0]};
        }
        if (bVec) {
            bs = new int[] {bs[0], 1};
        }
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("MatMul: " + Shape.toString(a.shape()) + " × "
                    + Shape.toString(b.shape()) + " do not fit");
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcastShape(aBatch, bBatch);
        requireAllocatable("MatMul", Shape.size(batch), m, n);
        int batches = (int) Shape.size(batch);
        int[] aIdx = broadcastIndex(aBatch, batch);
        int[] bIdx = broadcastIndex(bBatch, batch);
        float[] y = new float[batches * m * n];
        for (int i = 0; i < batches; i++) {
            Kernels.gemm().sgemm(false, false, m, n, k, a.tensor().data(), aIdx[i] * m * k, k, b.tensor().data(), bIdx[i] * k * n, n,
                    0f, y, i * m * n, n);
        }
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = n;
        if (aVec || bVec) { // drop the promoted dimensions again
            int[] trimmed = new int[out.length - (aVec ? 1 : 0) - (bVec ? 1 : 0)];
            int j = 0;
            for (int i = 0; i < out.length; i++) {
                if ((aVec && i == batch.length) || (bVec && i == batch.length + 1)) {
                    continue;
                }
                trimmed[j++] = out[i];
            }
            out = trimmed;
        }
        return OnnxTensor.ofFloats(y, out);
    }

    private static Op binary(Attrs a, long opset, FloatOp2 f) throws OnnxException {
        boolean legacy = opset < 7 && a.i("broadcast", 0) != 0;
        Long legacyAxis = opset < 7 && a.has("axis") ? a.i("axis", 0) : null;
        return in -> {
            OnnxTensor x = in[0];
            OnnxTensor y = in[1];
            if (legacy && legacyAxis != null) { // opset < 7: B's dimensions line up with A's starting at axis
                int r = x.rank();
                int ax = (int) (legacyAxis < 0 ? legacyAxis + r : legacyAxis);
                int[] s = new int[r - ax];
                Arrays.fill(s, 1);
                System.arraycopy(y.shape(), 0, s, 0, y.rank());
                y = y.reshape(s);
            }
            return one(broadcast(x, y, f));
        };
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Shape.toString(a) + " and " + Shape.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** For each element of {@code out}, the flat index of the element of a tensor of {@code shape} it reads. */
    private static int[] broadcastIndex(int[] shape, int[] out) {
        int r = out.length;
        int[] s = new int[r];
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - shape.length);
            int d = j >= 0 ? shape[j] : 1;
            s[i] = d == 1 ? 0 : acc;
            acc *= d;
        }
        int n = (int) Shape.size(out);
        int[] idx = new int[n];
        int[] pos = new int[r];
        int off = 0;
        for (int k = 0; k < n; k++) {
            idx[k] = off;
            for (int i = r - 1; i >= 0; i--) {
                pos[i]++;
                off += s[i];
                if (pos[i] < out[i]) {
                    break;
                }
                off -= s[i] * pos[i];
                pos[i] = 0;
            }
        }
        return idx;
    }

    static OnnxTensor broadcast(OnnxTensor a, OnnxTensor b, FloatOp2 f) {
        requireFloat(a, "elementwise op");
        requireFloat(b, "elementwise op");
        int[] out = broadcastShape(a.shape(), b.shape());
        requireAllocatable("elementwise op", longs(out));
        float[] x = a.tensor().data();
        float[] y = b.tensor().data();
        float[] z = new float[(int) Shape.size(out)];
        if (a.hasSameShape(out) && b.hasSameShape(out)) {
            for (int i = 0; i < z.length; i++) {
                z[i] = f.apply(x[i], y[i]);
            }
        } else {
            int[] ia = broadcastIndex(a.shape(), out);
            int[] ib = broadcastIndex(b.shape(), out);
            for (int i = 0; i < z.length; i++) {
                z[i] = f.apply(x[ia[i]], y[ib[i]]);
            }
        }
        return OnnxTensor.ofFloats(z, out);
    }

    private static Op softmax(Attrs a, long opset, boolean log) throws OnnxException {
        long axis = a.i("axis", opset >= 13 ? -1 : 1);
        String name = log ? "LogSoftmax" : "Softmax";
        return in -> {
            OnnxTensor x = in[0];
            requireFloat(x, name);
            int r = x.rank();
            int ax = (int) (axis < 0 ? axis + r : axis);
            if (ax < 0 || ax >= Math.max(r, 1)) {
                throw new IllegalArgumentException(name + ": axis " + axis + " out of range for rank " + r);
            }
            int[] s = x.shape();
            int outer = (int) Shape.size(Arrays.copyOfRange(s, 0, ax));
            int len;
            int inner;
            if (opset >= 13) { // along one axis
                len = s[ax];
                inner = (int) Shape.size(Arrays.copyOfRange(s, ax + 1, r));
            } else { // coerced to 2-D: [outer, everything from axis on]
                len = (int) Shape.size(Arrays.copyOfRange(s, ax, r));
                inner = 1;
            }
            float[] d = x.tensor().data();
            float[] y = new float[d.length];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * len * inner + i;
                    if (log) {
                        Softmax.logSoftmax(d, base, y, base, len, inner);
                    } else {
                        Softmax.softmax(d, base, y, base, len, inner);
                    }
                }
            }
            return one(OnnxTensor.ofFloats(y, s));
        };
    }
}
