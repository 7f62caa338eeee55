package dev.googlenet.onnx;

import dev.googlenet.data.Preprocess;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Variant;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.tensor.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Imports a GoogLeNet-family ONNX file: the torchvision export (BatchNorm folded, ceil-mode pools), the paper /
 * Caffe graph (LRN, 7×7 average pool, Softmax), and the ONNX model zoo's Caffe conversions in opsets 3–12
 * (asymmetric pool pads, Dropout ratio attribute, Reshape to a constant shape). The graph is compiled first (an
 * unsupported op or attribute is one error naming the node, its op and the file), then mapped onto our
 * {@link GoogLeNet} when it is one.
 *
 * <p>Preprocessing is inferred: {@code preprocess.*} metadata (written by {@link OnnxExporter}) wins; otherwise a
 * Caffe-style graph (the paper variant, LRN, or the zoo's {@code data_0} input) gets {@link Preprocess#CAFFE} and
 * anything else {@link Preprocess#TORCHVISION}. Class names come from {@value OnnxExporter#META_CLASSES} metadata
 * when the file has it (a JSON array of strings, one per class; anything else is an error naming the file).
 */
public final class OnnxImporter {
    private OnnxImporter() {
    }

    public static ImportedModel importModel(Path file) throws IOException {
        return importModel(OnnxIO.read(file));
    }

    public static ImportedModel importModel(OnnxModel model) throws OnnxException {
        String src = model.source();
        OnnxRunner runner = OnnxRunner.of(model);
        List<ValueInfo> ins = model.graph().realInputs();
        if (ins.size() != 1) {
            throw new OnnxException(src, "expected one image input, the graph has " + ins.size() + ": " + ins);
        }
        ValueInfo in = ins.getFirst();
        int[] shape = inputShape(src, in);
        GoogLeNet net = null;
        String why = null;
        try {
            net = GoogLeNetMatcher.match(model, runner.nodes(), shape);
        } catch (GoogLeNetMatcher.Mismatch e) {
            why = e.getMessage();
        }
        Preprocess pre;
        try {
            pre = Preprocess.fromMetadata(model.metadata());
        } catch (IllegalArgumentException e) {
            throw new OnnxException(src, "metadata_props: " + e.getMessage(), e);
        }
        if (pre == null) {
            boolean caffe = in.name().equals("data_0") || model.graph().nodes().stream()
                    .anyMatch(n -> n.opType().equals("LRN"))
                    || net != null && net.config().variant() == Variant.PAPER;
            pre = caffe ? Preprocess.CAFFE : Preprocess.TORCHVISION;
        }
        List<String> outs = model.graph().outputs().stream().map(ValueInfo::name).toList();
        List<String> classes = List.of();
        String json = model.metadata().get(OnnxExporter.META_CLASSES);
        if (json != null) {
            classes = OnnxExporter.classesFromJson(json, src);
            if (net != null && classes.size() != net.config().numClasses()) {
                throw new OnnxException(src, "metadata_props '" + OnnxExporter.META_CLASSES + "' names "
                        + classes.size() + " classes, the classifier has " + net.config().numClasses());
            }
        }
        return new ImportedModel(src, runner, net, why, pre, in.name(), outs, shape, classes);
    }

    /**
     * The concrete input shape to match the model at: declared fixed dimensions, 1 for an open batch, 224 for
     * open spatial sizes. A declaration that cannot hold an image batch [N,3,H,W] is an error.
     */
    private static int[] inputShape(String src, ValueInfo in) throws OnnxException {
        if (in.elemType() != 0 && in.elemType() != OnnxTensor.DataType.FLOAT.code()) {
            throw new OnnxException(src, "input '" + in.name() + "' is " + OnnxTensor.DataType.nameOf(in.elemType())
                    + ", an image model needs FLOAT");
        }
        long[] d = in.dims();
        if (d == null) {
            return new int[] {1, 3, 224, 224};
        }
        if (d.length != 4 || (d[1] >= 0 && d[1] != 3)) {
            throw new OnnxException(src, "input '" + in.name() + "' has shape " + in.shapeText()
                    + ", an image model needs [N,3,H,W]");
        }
        int[] s = {1, 3, 224, 224};
        for (int i = 0; i < 4; i++) {
            if (d[i] == 0 || d[i] > Integer.MAX_VALUE) {
                throw new OnnxException(src, "input '" + in.name() + "' has invalid shape " + in.shapeText());
            }
            if (d[i] > 0) {
                s[i] = (int) d[i];
            }
        }
        if (s[2] < 15 || s[3] < 15) {
            throw new OnnxException(src, "input '" + in.name() + "' has shape " + Shape.toString(s)
                    + ": too small for a GoogLeNet (at least 15×15)");
        }
        return s;
    }
}
