package dev.googlenet.onnx;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.googlenet.data.Preprocess;
import dev.googlenet.model.ConvBlock;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Inception;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Flatten;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Lrn;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Sequential;
import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link GoogLeNet} as an ONNX inference graph: the main path only (aux heads are training-only and
 * never exported), BatchNorm folded into the convolutions or kept as BatchNormalization nodes, and in
 * {@code metadata_props} the model's {@link Preprocess} ({@code preprocess.*}) and class names
 * ({@value #META_CLASSES}, a JSON array of strings), both read back by {@link OnnxImporter}.
 *
 * <p>Two styles: {@link Style#TORCH} writes what {@code torch.onnx.export} would (input {@code input}
 * [batch,3,height,width], ceil-mode pools, Flatten, Gemm, output {@code logits}; opset 10 or later keeps height and
 * width open). {@link Style#ZOO} writes a graph shaped like the ONNX model zoo's Caffe conversions (input
 * {@code data_0} [1,3,S,S], Caffe layer names, ceil mode spelled as asymmetric pads, Dropout with its ratio,
 * Reshape to a constant [1,1024], Softmax output {@code prob_1}), in any opset from 3.
 */
public final class OnnxExporter {
    /** Metadata key of the class names: the key our safetensors weight files use for them too. */
    public static final String META_CLASSES = "googlenet.classes";

    private static final JsonFactory JSON = new JsonFactory();

    private OnnxExporter() {
    }

    public enum Style { TORCH, ZOO }

    /**
     * @param opset          ONNX opset of the default domain (3–13)
     * @param foldBatchNorm  fold BatchNorm into the preceding convolution's weight and bias
     * @param style          graph conventions (see the class comment)
     * @param inputSize      height = width the graph is written for when it must be fixed (ZOO style, or ceil-mode
     *                       pools before opset 10)
     * @param probabilities  also output softmax probabilities ({@code prob}); always on in ZOO style
     */
    public record Options(int opset, boolean foldBatchNorm, Style style, int inputSize, boolean probabilities) {
        public Options {
            if (opset < 3 || opset > 13) {
                throw new IllegalArgumentException("ONNX export supports opsets 3 to 13, not " + opset);
            }
            if (inputSize < 15) {
                throw new IllegalArgumentException("input size must be at least 15, got " + inputSize);
            }
        }

        /** Opset 13, BatchNorm folded, torch style, 224. */
        public static Options defaults() {
            return new Options(13, true, Style.TORCH, 224, false);
        }

        /** The model zoo's conventions in the given opset, at 224×224. */
        public static Options zoo(int opset) {
            return new Options(opset, true, Style.ZOO, 224, true);
        }

        public Options withOpset(int v) {
            return new Options(v, foldBatchNorm, style, inputSize, probabilities);
        }

        public Options withFoldBatchNorm(boolean v) {
            return new Options(opset, v, style, inputSize, probabilities);
        }

        public Options withInputSize(int v) {
            return new Options(opset, foldBatchNorm, style, v, probabilities);
        }

        public Options withProbabilities(boolean v) {
            return new Options(opset, foldBatchNorm, style, inputSize, v);
        }
    }

    /** Writes {@code model} without class names (temp file, then rename). {@code preprocess} may be null. */
    public static void export(GoogLeNet model, Preprocess preprocess, Path file, Options options) throws IOException {
        export(model, preprocess, List.of(), file, options);
    }

    /**
     * Writes {@code model} to {@code file} (temp file, then rename). {@code preprocess} may be null;
     * {@code classNames} is empty or one name per class.
     */
    public static void export(GoogLeNet model, Preprocess preprocess, List<String> classNames, Path file,
                              Options options) throws IOException {
        OnnxIO.write(toOnnx(model, preprocess, classNames, options, OnnxIO.label(file)), file);
    }

    /** The ONNX model for {@code model}, without class names; {@code preprocess} (may be null) goes into the metadata. */
    public static OnnxModel toOnnx(GoogLeNet model, Preprocess preprocess, Options options, String source) {
        return toOnnx(model, preprocess, List.of(), options, source);
    }

    /**
     * The ONNX model for {@code model}; {@code preprocess} (may be null) and {@code classNames} (empty, or one
     * name per class) go into the metadata.
     */
    public static OnnxModel toOnnx(GoogLeNet model, Preprocess preprocess, List<String> classNames, Options options,
                                   String source) {
        int classes = model.config().numClasses();
        if (!classNames.isEmpty() && classNames.size() != classes) {
            throw new IllegalArgumentException(classNames.size() + " class names for a model with " + classes
                    + " classes");
        }
        return new Builder(model, options).build(preprocess, classNames, source);
    }

    /** Class names as the JSON array stored under {@link #META_CLASSES}. */
    static String classesToJson(List<String> names) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (String n : names) {
                g.writeString(n);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The class names of {@link #META_CLASSES}; an error naming the file unless it is a JSON array of strings. */
    static List<String> classesFromJson(String json, String source) throws OnnxException {
        String problem = "metadata_props '" + META_CLASSES + "' is not a JSON array of strings";
        List<String> names = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new OnnxException(source, problem);
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new OnnxException(source, problem + " (found " + t + " at entry " + names.size() + ")");
                }
                names.add(p.getText());
            }
            if (p.nextToken() != null) {
                throw new OnnxException(source, problem + " (text after the array)");
            }
        } catch (OnnxException e) {
            throw e; // already says what is wrong (it is an IOException too)
        } catch (JsonProcessingException e) {
            throw new OnnxException(source, problem + " (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxException(source, problem + " (" + e.getMessage() + ")", e);
        }
        return names;
    }

    /** ONNX IR version that goes with an opset (the oldest IR that knows it). */
    static long irVersion(int opset) {
        return opset <= 8 ? 3 : opset == 9 ? 4 : opset == 10 ? 5 : opset == 11 ? 6 : 7;
    }

    private static final class Builder {
        private final GoogLeNet model;
        private final Options o;
        private final boolean zoo;
        private final boolean fixedSize;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, OnnxTensor> inits = new LinkedHashMap<>();
        private int[] shape; // the activation shape so far, when the size is fixed (null otherwise)

        Builder(GoogLeNet model, Options o) {
            this.model = model;
            this.o = o;
            this.zoo = o.style() == Style.ZOO;
            // fixed when pools must spell ceil mode as pads, or when the 7×7 average pool pins the size anyway
            this.fixedSize = zoo || o.opset() < 10 || model.config().variant() == Variant.PAPER;
        }

        OnnxModel build(Preprocess preprocess, List<String> classNames, String source) {
            String input = zoo ? "data_0" : "input";
            int s = o.inputSize();
            shape = new int[] {1, 3, s, s};
            String cur = input;
            List<Layer> layers = model.trunk().layers();
            List<String> names = model.trunk().names();
            for (int i = 0; i < layers.size(); i++) {
                cur = layer(layers.get(i), names.get(i), cur);
            }
            List<ValueInfo> outputs = new ArrayList<>();
            int classes = model.config().numClasses();
            if (zoo) {
                cur = add("Softmax", "prob", List.of(cur), "prob_1", Attribute.ofInt("axis", 1));
                outputs.add(ValueInfo.of(cur, 1L, (long) classes));
            } else {
                renameLast("logits");
                outputs.add(ValueInfo.of("logits", "batch", (long) classes));
                if (o.probabilities()) {
                    add("Softmax", "prob", List.of("logits"), "prob", Attribute.ofInt("axis", 1));
                    outputs.add(ValueInfo.of("prob", "batch", (long) classes));
                }
            }
            List<ValueInfo> inputs = new ArrayList<>();
            inputs.add(zoo ? ValueInfo.of(input, 1L, 3L, (long) s, (long) s)
                    : fixedSize ? ValueInfo.of(input, "batch", 3L, (long) s, (long) s)
                    : ValueInfo.of(input, "batch", 3L, "height", "width"));
            if (irVersion(o.opset()) < 4) { // IR 3: every initializer is also a graph input
                inits.forEach((n, t) -> inputs.add(new ValueInfo(n, t.type().code(),
                        java.util.Arrays.stream(t.shape()).asLongStream().toArray(), null)));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            if (preprocess != null) {
                meta.putAll(preprocess.toMetadata());
            }
            meta.put("googlenet.variant", model.config().variant().name().toLowerCase(Locale.ROOT));
            meta.put("googlenet.num_classes", Integer.toString(classes));
            if (!classNames.isEmpty()) {
                meta.put(META_CLASSES, classesToJson(classNames));
            }
            OnnxModel.Graph g = new OnnxModel.Graph(zoo ? "googlenet" : "main_graph", nodes, inits, inputs, outputs);
            return new OnnxModel(source, irVersion(o.opset()), Map.of("", (long) o.opset()), "googlenet-jvm", "0.1",
                    g, meta);
        }

        private void renameLast(String name) {
            Node last = nodes.removeLast();
            nodes.add(new Node(last.name(), last.opType(), last.domain(), last.inputs(), List.of(name),
                    last.attributes()));
        }

        private String add(String op, String name, List<String> in, String out, Attribute... attrs) {
            nodes.add(Node.of(name, op, in, List.of(out), attrs));
            return out;
        }

        private String init(String name, OnnxTensor t) {
            inits.put(name, t);
            return name;
        }

        /** Caffe's layer names for the paper's layers (ZOO style), else the state-dict prefix. */
        private String caffeName(String prefix) {
            if (!zoo) {
                return prefix;
            }
            String[] p = prefix.split("\\.");
            if (p[0].startsWith("inception")) {
                String m = "inception_" + p[0].substring("inception".length());
                if (p.length == 1) {
                    return m;
                }
                String part = switch (p[1] + (p.length > 2 ? "." + p[2] : "")) {
                    case "branch1" -> "1x1";
                    case "branch2.0" -> "3x3_reduce";
                    case "branch2.1" -> "3x3";
                    case "branch3.0" -> "5x5_reduce";
                    case "branch3.1" -> "5x5";
                    case "branch4.0" -> "pool";
                    case "branch4.1" -> "pool_proj";
                    default -> prefix.substring(p[0].length() + 1);
                };
                return m + "/" + part;
            }
            return switch (prefix) {
                case "conv1" -> "conv1/7x7_s2";
                case "maxpool1" -> "pool1/3x3_s2";
                case "lrn1" -> "pool1/norm1";
                case "conv2" -> "conv2/3x3_reduce";
                case "conv3" -> "conv2/3x3";
                case "lrn2" -> "conv2/norm2";
                case "maxpool2" -> "pool2/3x3_s2";
                case "maxpool3" -> "pool3/3x3_s2";
                case "maxpool4" -> "pool4/3x3_s2";
                case "avgpool" -> "pool5/7x7_s1";
                case "dropout" -> "pool5/drop_7x7_s1";
                case "fc" -> "loss3/classifier";
                default -> prefix;
            };
        }

        private String param(String prefix, String torchName) {
            if (!zoo) {
                return prefix + "." + torchName;
            }
            return caffeName(prefix.replace(".conv", "")) + (torchName.endsWith("weight") ? "_w_0" : "_b_0");
        }

        private String layer(Layer layer, String prefix, String in) {
            return switch (layer) {
                case ConvBlock cb -> convBlock(cb, prefix, in);
                case MaxPool2d mp -> maxPool(mp, prefix, in);
                case Lrn l -> add("LRN", caffeName(prefix), List.of(in), caffeName(prefix) + "_out",
                        Attribute.ofFloat("alpha", l.alpha()), Attribute.ofFloat("beta", l.beta()),
                        Attribute.ofFloat("bias", l.k()), Attribute.ofInt("size", l.size()));
                case Inception inc -> inception(inc, prefix, in);
                case AvgPool2d ap -> {
                    shape = layer.outputShape(shape);
                    yield add("AveragePool", caffeName(prefix), List.of(in), caffeName(prefix) + "_out",
                            Attribute.ofInts("kernel_shape", ap.kernel(), ap.kernel()),
                            Attribute.ofInts("strides", ap.stride(), ap.stride()),
                            Attribute.ofInts("pads", ap.padding(), ap.padding(), ap.padding(), ap.padding()));
                }
                case AdaptiveAvgPool2d ap -> {
                    shape = layer.outputShape(shape);
                    yield add("GlobalAveragePool", prefix, List.of(in), prefix + "_out");
                }
                case Flatten f -> flatten(f, in);
                case Dropout d -> dropout(d, prefix, in);
                case Linear lin -> linear(lin, prefix, in);
                default -> throw new IllegalArgumentException("cannot export layer " + layer);
            };
        }

        private String convBlock(ConvBlock cb, String prefix, String in) {
            Conv2d c = cb.conv();
            BatchNorm2d bn = cb.bn();
            String name = caffeName(prefix);
            float[] w = c.weight().value().data().clone();
            float[] b = c.bias() != null ? c.bias().value().data().clone() : null;
            boolean fold = bn != null && o.foldBatchNorm();
            if (fold) {
                BatchNorm2d.Folded folded = bn.fold(w, b);
                w = folded.weight();
                b = folded.bias();
            }
            List<String> args = new ArrayList<>(List.of(in,
                    init(param(prefix + ".conv", "weight"), OnnxTensor.ofFloats(w, c.weight().value().shape()))));
            if (b != null) {
                args.add(init(param(prefix + ".conv", "bias"), OnnxTensor.ofFloats(b, c.outChannels())));
            }
            int p = c.padding();
            String cur = add("Conv", name, args, name + "_conv", Attribute.ofInts("kernel_shape", c.kernelH(), c.kernelW()),
                    Attribute.ofInts("strides", c.stride(), c.stride()), Attribute.ofInts("pads", p, p, p, p),
                    Attribute.ofInts("dilations", 1, 1), Attribute.ofInt("group", 1));
            if (bn != null && !fold) {
                if (o.opset() < 6) {
                    throw new IllegalArgumentException("keeping BatchNorm needs opset 6 or later (fold it instead)");
                }
                List<Attribute> at = new ArrayList<>(List.of(Attribute.ofFloat("epsilon", bn.eps()),
                        Attribute.ofFloat("momentum", 0.9f)));
                if (o.opset() < 7) {
                    at.add(Attribute.ofInt("is_test", 1));
                }
                cur = add("BatchNormalization", name + "/bn", List.of(cur,
                        init(prefix + ".bn.weight", OnnxTensor.of(bn.weight().value().copy())),
                        init(prefix + ".bn.bias", OnnxTensor.of(bn.bias().value().copy())),
                        init(prefix + ".bn.running_mean", OnnxTensor.of(bn.runningMean().copy())),
                        init(prefix + ".bn.running_var", OnnxTensor.of(bn.runningVar().copy()))),
                        name + "_bn", at.toArray(Attribute[]::new));
            }
            shape = c.outputShape(shape);
            return add("Relu", name + "/relu", List.of(cur), name + "_relu");
        }

        private String maxPool(MaxPool2d mp, String prefix, String in) {
            String name = caffeName(prefix);
            int p = mp.padding();
            int k = mp.kernel();
            int s = mp.stride();
            List<Attribute> at = new ArrayList<>(List.of(Attribute.ofInts("kernel_shape", k, k),
                    Attribute.ofInts("strides", s, s)));
            int[] out = mp.outputShape(shape);
            if (!mp.ceilMode() || s == 1) {
                at.add(Attribute.ofInts("pads", p, p, p, p));
            } else if (!fixedSize) {
                at.add(Attribute.ofInts("pads", p, p, p, p));
                at.add(Attribute.ofInt("ceil_mode", 1));
            } else { // ceil mode as Caffe converters spell it: extra padding at the end, floor mode
                int extraH = Math.max(0, (out[2] - 1) * s + k - shape[2] - 2 * p);
                int extraW = Math.max(0, (out[3] - 1) * s + k - shape[3] - 2 * p);
                at.add(Attribute.ofInts("pads", p, p, p + extraH, p + extraW));
            }
            shape = out;
            return add("MaxPool", name, List.of(in), name + "_out", at.toArray(Attribute[]::new));
        }

        private String inception(Inception inc, String prefix, String in) {
            int[] start = shape;
            List<String> outs = new ArrayList<>();
            int[] end = null;
            for (int b = 0; b < inc.branches().size(); b++) {
                shape = start;
                Layer br = inc.branches().get(b);
                String branch = prefix + ".branch" + (b + 1);
                String cur = in;
                if (br instanceof Sequential seq) {
                    for (int i = 0; i < seq.layers().size(); i++) {
                        cur = layer(seq.layers().get(i), branch + "." + i, cur);
                    }
                } else {
                    cur = layer(br, branch, cur);
                }
                outs.add(cur);
                end = shape;
            }
            shape = new int[] {end[0], inc.spec().out(), end[2], end[3]};
            String name = caffeName(prefix);
            return add("Concat", name + "/output", outs, name + "_output", Attribute.ofInt("axis", 1));
        }

        private String flatten(Flatten f, String in) {
            int features = shape[1] * shape[2] * shape[3];
            shape = f.outputShape(shape);
            if (!zoo) {
                return add("Flatten", "flatten", List.of(in), "flatten_out", Attribute.ofInt("axis", 1));
            }
            if (o.opset() < 5) {
                return add("Reshape", "OC2_DUMMY_0", List.of(in), "OC2_DUMMY_0",
                        Attribute.ofInts("shape", 1, features));
            }
            String target = init("OC2_DUMMY_1", OnnxTensor.ofLongs(OnnxTensor.DataType.INT64,
                    new long[] {1, features}, 2));
            return add("Reshape", "OC2_DUMMY_0", List.of(in, target), "OC2_DUMMY_0");
        }

        private String dropout(Dropout d, String prefix, String in) {
            if (!zoo) {
                return in; // an eval export has no dropout, as torch.onnx.export writes it
            }
            String name = caffeName(prefix);
            List<Attribute> at = new ArrayList<>();
            if (o.opset() < 12) {
                at.add(Attribute.ofFloat("ratio", (float) d.p()));
            }
            if (o.opset() < 7) {
                at.add(Attribute.ofInt("is_test", 1));
            }
            List<String> args = new ArrayList<>(List.of(in));
            if (o.opset() >= 12) { // the ratio became an input
                args.add(init(name + "_ratio", OnnxTensor.ofFloats(new float[] {(float) d.p()})));
            }
            return add("Dropout", name, args, name + "_out", at.toArray(Attribute[]::new));
        }

        private String linear(Linear lin, String prefix, String in) {
            String name = caffeName(prefix);
            List<Attribute> at = new ArrayList<>(List.of(Attribute.ofFloat("alpha", 1f), Attribute.ofFloat("beta", 1f),
                    Attribute.ofInt("transB", 1)));
            if (o.opset() < 7) {
                at.add(Attribute.ofInt("broadcast", 1));
            }
            shape = lin.outputShape(shape);
            return add("Gemm", name, List.of(in,
                    init(param(prefix, "weight"), OnnxTensor.of(lin.weight().value().copy())),
                    init(param(prefix, "bias"), OnnxTensor.of(lin.bias().value().copy()))),
                    name + "_out", at.toArray(Attribute[]::new));
        }
    }
}
