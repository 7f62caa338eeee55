package dev.googlenet.onnx;

import dev.googlenet.data.Preprocess;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.googlenet.onnx.OnnxTensor.DataType.INT64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX model zoo's GoogLeNet files (Caffe conversions, opsets 3, 6, 7, 8, 9, 12) are not on this machine, so
 * their features are proven on graphs written here: small single-feature graphs, and a full zoo-shaped GoogLeNet
 * written by our exporter ({@code data_0} [1,3,224,224], Caffe names, MaxPool pads [0,0,1,1] instead of ceil mode,
 * Dropout with a ratio attribute, Reshape to a constant [1,1024], AveragePool 7×7, Softmax {@code prob_1}).
 */
class OnnxZooStyleTest {
    private static GoogLeNet paper;
    private static Tensor input;
    private static Tensor expectedProb;

    @BeforeAll
    static void model() {
        paper = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optSeed(11).optAuxHeads(false)
                .build());
        input = OnnxExportTest.randomInput(4, 1, 3, 224, 224);
        for (int i = 0; i < input.size(); i++) {
            input.data()[i] *= 60;
        }
        expectedProb = OnnxExportTest.softmax(paper.forward(input));
    }

    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {3, 6, 7, 8, 9, 12})
    void zooShapedGoogLeNetImports(int opset) throws Exception {
        OnnxModel written = OnnxExporter.toOnnx(paper, null, OnnxExporter.Options.zoo(opset), "googlenet-" + opset + ".onnx");
        OnnxModel file = OnnxIO.parse(OnnxIO.toBytes(written), written.source());
        assertEquals(opset, file.opset());
        // the zoo's features are really in the file
        List<Node> nodes = file.graph().nodes();
        assertEquals("data_0", file.graph().realInputs().getFirst().name());
        assertEquals("[1,3,224,224]", file.graph().realInputs().getFirst().shapeText());
        assertEquals("prob_1", file.graph().outputs().getFirst().name());
        Node pool1 = nodes.stream().filter(n -> n.name().equals("pool1/3x3_s2")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {0, 0, 1, 1}, pool1.attributes().get("pads").ints());
        assertFalse(nodes.stream().anyMatch(n -> n.attributes().containsKey("ceil_mode")));
        Node dropout = nodes.stream().filter(n -> n.opType().equals("Dropout")).findFirst().orElseThrow();
        assertEquals(opset < 12, dropout.attributes().containsKey("ratio"));
        assertEquals(opset < 12 ? 1 : 2, dropout.inputs().size(), "ratio as an input from opset 12");
        Node reshape = nodes.stream().filter(n -> n.opType().equals("Reshape")).findFirst().orElseThrow();
        assertEquals(opset < 5, reshape.attributes().containsKey("shape"));
        Node avg = nodes.stream().filter(n -> n.opType().equals("AveragePool")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {7, 7}, avg.attributes().get("kernel_shape").ints());
        assertEquals("Softmax", nodes.getLast().opType());
        assertTrue(file.graph().initializers().containsKey("conv1/7x7_s2_w_0"));

        ImportedModel m = OnnxImporter.importModel(file);
        assertEquals(Preprocess.CAFFE, m.preprocess(), "zoo/Caffe input data_0 → Caffe preprocessing");
        assertNull(m.notGoogLeNet(), m.notGoogLeNet());
        GoogLeNet net = m.googLeNet();
        assertEquals(Variant.PAPER, net.config().variant());
        assertEquals(0.4f, net.config().dropout(), 1e-7, "dropout ratio read from the graph");
        paper.stateDict().forEach((k, t) -> assertArrayEquals(t.data(), net.stateDict().get(k).data(), k));

        Tensor prob = m.forward(input);
        Parity.assertClose("zoo-style GoogLeNet opset " + opset + " graph prob_1 vs softmax(ours)", expectedProb, prob);
        if (opset >= 7) { // ONNX Runtime 1.23 has no kernels for opset-1 Relu/AveragePool (opsets 3, 6)
            Map<String, Tensor> ort = Ort.run(OnnxIO.toBytes(file), "data_0", input);
            Parity.assertClose("zoo-style GoogLeNet opset " + opset + " ORT prob_1 vs ours", prob, ort.get("prob_1"));
        }
    }

    // -------------------------------------------------------------------- single features, small graphs

    private static Tensor run(OnnxModel m, Tensor x) throws OnnxException {
        return OnnxRunner.of(m).run(x);
    }

    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {3, 6, 7, 8, 9, 12})
    void asymmetricPoolPadsAreCaffeCeilMode(int opset) throws Exception {
        for (int size : new int[] {9, 10, 112, 56, 28, 14}) {
            Tensor x = OnnxExportTest.randomInput(size, 1, 2, size, size);
            Tensor ceil = new MaxPool2d(3, 2, 0, true).forward(x, false);
            int extra = (ceil.dim(2) - 1) * 2 + 3 - size;
            OnnxModel m = Graphs.single(opset, Node.of("pool", "MaxPool", List.of("x"), List.of("y"),
                    Attribute.ofInts("kernel_shape", 3, 3), Attribute.ofInts("strides", 2, 2),
                    Attribute.ofInts("pads", 0, 0, extra, extra)), Map.of(), 1L, 2L, (long) size, (long) size);
            Tensor y = run(m, x);
            assertArrayEquals(ceil.shape(), y.shape(), "size " + size);
            assertArrayEquals(ceil.data(), y.data(), "size " + size);
        }
    }

    @Test
    void dropoutWithRatioAttributeIsIdentityInOldOpsets() throws Exception {
        Tensor x = OnnxExportTest.randomInput(1, 2, 5);
        for (int opset : new int[] {3, 6, 7, 9, 10}) {
            Attribute[] at = opset < 7 ? new Attribute[] {Attribute.ofFloat("ratio", 0.4f), Attribute.ofInt("is_test", 1)}
                    : new Attribute[] {Attribute.ofFloat("ratio", 0.4f)};
            OnnxModel m = Graphs.single(opset, Node.of("drop", "Dropout", List.of("x"), List.of("y"), at), Map.of(),
                    2L, 5L);
            assertArrayEquals(x.data(), run(m, x).data(), "opset " + opset);
        }
    }

    @Test
    void reshapeToConstantShapeAsAttributeAndAsInput() throws Exception {
        Tensor x = OnnxExportTest.randomInput(2, 1, 1024, 1, 1);
        OnnxModel old = Graphs.single(3, Node.of("r", "Reshape", List.of("x"), List.of("y"),
                Attribute.ofInts("shape", 1, 1024)), Map.of(), 1L, 1024L, 1L, 1L);
        assertArrayEquals(new int[] {1, 1024}, run(old, x).shape());
        OnnxModel newer = Graphs.single(6, Node.of("r", "Reshape", List.of("x", "s"), List.of("y")),
                Map.of("s", OnnxTensor.ofLongs(INT64, new long[] {1, 1024}, 2)), 1L, 1024L, 1L, 1L);
        Tensor y = run(newer, x);
        assertArrayEquals(new int[] {1, 1024}, y.shape());
        assertArrayEquals(x.data(), y.data());
    }

    @Test
    void averagePool7x7IsTheMeanOfTheMap() throws Exception {
        Tensor x = OnnxExportTest.randomInput(3, 1, 4, 7, 7);
        for (int opset : new int[] {3, 7, 12}) {
            OnnxModel m = Graphs.single(opset, Node.of("p", "AveragePool", List.of("x"), List.of("y"),
                    Attribute.ofInts("kernel_shape", 7, 7), Attribute.ofInts("strides", 1, 1),
                    Attribute.ofInts("pads", 0, 0, 0, 0)), Map.of(), 1L, 4L, 7L, 7L);
            Tensor y = run(m, x);
            assertArrayEquals(new int[] {1, 4, 1, 1}, y.shape());
            for (int c = 0; c < 4; c++) {
                double s = 0;
                for (int i = 0; i < 49; i++) {
                    s += x.data()[c * 49 + i];
                }
                assertEquals(s / 49, y.data()[c], 1e-6);
            }
        }
    }

    @Test
    void softmaxAxisSemanticsChangeAtOpset13() throws Exception {
        Tensor x = OnnxExportTest.randomInput(5, 2, 3, 2);
        Node node = Node.of("s", "Softmax", List.of("x"), List.of("y"), Attribute.ofInt("axis", 1));
        Tensor old = run(Graphs.single(8, node, Map.of(), 2L, 3L, 2L), x);   // [2, 6]: over 6 values
        Tensor now = run(Graphs.single(13, node, Map.of(), 2L, 3L, 2L), x);  // over axis 1 only: 3 values
        double oldSum = 0;
        double nowSum = 0;
        for (int i = 0; i < 6; i++) {
            oldSum += old.data()[i];
        }
        for (int c = 0; c < 3; c++) {
            nowSum += now.data()[c * 2];
        }
        assertEquals(1, oldSum, 1e-6);
        assertEquals(1, nowSum, 1e-6);
        Tensor dflt = run(Graphs.single(13, Node.of("s", "Softmax", List.of("x"), List.of("y")), Map.of(),
                2L, 3L, 2L), x); // default axis -1 in opset 13
        assertEquals(1, dflt.data()[0] + dflt.data()[1], 1e-6);
    }

    @Test
    void legacyBroadcastAttributesOfOpset6() throws Exception {
        Tensor x = OnnxExportTest.randomInput(6, 2, 3);
        OnnxModel gemm = Graphs.single(6, Node.of("fc", "Gemm", List.of("x", "w", "b"), List.of("y"),
                Attribute.ofInt("transB", 1), Attribute.ofInt("broadcast", 1)),
                Map.of("w", OnnxTensor.ofFloats(new float[] {1, 0, 0, 0, 1, 0}, 2, 3),
                        "b", OnnxTensor.ofFloats(new float[] {10, 20}, 2)), 2L, 3L);
        Tensor y = run(gemm, x);
        assertArrayEquals(new float[] {x.data()[0] + 10, x.data()[1] + 20, x.data()[3] + 10, x.data()[4] + 20},
                y.data(), 1e-6f);
        Tensor img = OnnxExportTest.randomInput(7, 1, 3, 2, 2);
        OnnxModel add = Graphs.single(6, Node.of("add", "Add", List.of("x", "b"), List.of("y"),
                Attribute.ofInt("broadcast", 1), Attribute.ofInt("axis", 1)),
                Map.of("b", OnnxTensor.ofFloats(new float[] {1, 2, 3}, 3)), 1L, 3L, 2L, 2L);
        Tensor z = run(add, img);
        for (int i = 0; i < 12; i++) {
            assertEquals(img.data()[i] + 1 + i / 4, z.data()[i], 1e-6);
        }
    }

    @Test
    void oldBatchNormalizationAndConcatAttributes() throws Exception {
        Tensor x = OnnxExportTest.randomInput(8, 1, 2, 2, 2);
        Map<String, OnnxTensor> stats = Map.of("s", OnnxTensor.ofFloats(new float[] {2, 3}, 2),
                "b", OnnxTensor.ofFloats(new float[] {1, -1}, 2), "m", OnnxTensor.ofFloats(new float[] {0.5f, 0}, 2),
                "v", OnnxTensor.ofFloats(new float[] {4, 1}, 2));
        OnnxModel bn3 = Graphs.single(3, Node.of("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"),
                List.of("y"), Attribute.ofInts("consumed_inputs", 0, 0, 0, 1, 1), Attribute.ofFloat("epsilon", 0f),
                Attribute.ofInt("is_test", 1), Attribute.ofInt("spatial", 1)), stats, 1L, 2L, 2L, 2L);
        Tensor y = run(bn3, x);
        assertEquals((x.data()[0] - 0.5) / 2 * 2 + 1, y.data()[0], 1e-5);
        assertEquals(x.data()[4] * 3 - 1, y.data()[4], 1e-5);
        OnnxModel concat3 = Graphs.model("concat.onnx", 3, List.of(Node.of("c", "Concat", List.of("x", "x"),
                List.of("y"))), Map.of(), List.of(OnnxModel.ValueInfo.of("x", 1L, 2L, 2L, 2L)),
                List.of(OnnxModel.ValueInfo.of("y")));
        assertArrayEquals(new int[] {1, 4, 2, 2}, run(concat3, x).shape(), "Concat axis defaults to 1 before opset 4");
        assertEquals("[1, 1, 1, 1]", Arrays.toString(new int[] {1, 1, 1, 1}));
    }
}
