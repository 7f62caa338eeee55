package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad files and bad inputs give one clear error that names the file and the problem (and the node, if any). */
class OnnxErrorsTest {

    private static OnnxException fails(org.junit.jupiter.api.function.Executable e) {
        OnnxException ex = assertThrows(OnnxException.class, e);
        System.out.println("ERROR MESSAGE " + ex.getMessage());
        return ex;
    }

    private static void contains(OnnxException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void truncatedFilesNameTheFileAndWhatIsMissing(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(SharedData.file("reference/tv_eval.onnx"));
        for (int keep : new int[] {full.length / 2, full.length - 1, 100, 3}) {
            Path cut = dir.resolve("tv_eval_cut.onnx");
            Files.write(cut, Arrays.copyOf(full, keep));
            OnnxException e = fails(() -> OnnxImporter.importModel(cut));
            assertTrue(e.getMessage().startsWith("tv_eval_cut.onnx: "), e.getMessage());
            contains(e, "truncated");
        }
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        contains(fails(() -> OnnxImporter.importModel(empty)), "empty.onnx: empty file");
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model at all, just some text\n");
        OnnxException e = fails(() -> OnnxImporter.importModel(text));
        assertTrue(e.getMessage().startsWith("notes.onnx: "), e.getMessage());
        contains(fails(() -> OnnxImporter.importModel(dir.resolve("missing.onnx"))), "missing.onnx: no such file");
    }

    @Test
    void truncatedTensorDataIsCaughtBeforeAllocating(@TempDir Path dir) throws IOException {
        byte[] pb = Files.readAllBytes(SharedData.file("onnx-node-tests/test_lrn/test_data_set_0/input_0.pb"));
        Path cut = dir.resolve("input_0.pb");
        Files.write(cut, Arrays.copyOf(pb, pb.length - 10));
        contains(fails(() -> OnnxIO.readTensor(cut)), "input_0.pb: TensorProto: truncated");
    }

    @Test
    void wrongInputShapeNamesFileInputAndDeclaration() throws IOException {
        ImportedModel m = OnnxImporter.importModel(SharedData.file("reference/paper_eval.onnx"));
        OnnxException e = fails(() -> m.run(Tensor.zeros(1, 3, 64, 64)));
        assertEquals("paper_eval.onnx: input 'data' has shape [1,3,64,64], the model declares [batch,3,224,224]",
                e.getMessage());
        contains(fails(() -> m.run(Tensor.zeros(1, 1, 224, 224))), "paper_eval.onnx", "[1,1,224,224]");
    }

    @Test
    void modelWhoseInputCannotHoldImages() throws OnnxException {
        OnnxModel gray = Graphs.single(13, Node.of("r", "Relu", List.of("x"), List.of("y")), Map.of(),
                1L, 1L, 28L, 28L);
        contains(fails(() -> OnnxImporter.importModel(gray)), "single.onnx: input 'x' has shape [1,1,28,28]",
                "needs [N,3,H,W]");
        OnnxModel tiny = Graphs.single(13, Node.of("r", "Relu", List.of("x"), List.of("y")), Map.of(),
                1L, 3L, 8L, 8L);
        contains(fails(() -> OnnxImporter.importModel(tiny)), "single.onnx", "too small");
    }

    @Test
    void inputTooSmallForTheGraphNamesTheNode() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("pool1", "MaxPool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 3, 3)), Map.of(), "batch", 3L, "h", "w");
        OnnxException e = fails(() -> OnnxRunner.of(m).run(Tensor.zeros(1, 3, 2, 2)));
        contains(e, "single.onnx: node 'pool1' (MaxPool): window 3 larger than input 2");
    }

    @Test
    void unsupportedOpIsOneErrorNamingNodeOpAndFile() throws OnnxException {
        OnnxModel m = Graphs.model("custom.onnx", 13, List.of(
                Node.of("act", "Relu", List.of("x"), List.of("a")),
                Node.of("squash", "Tanh", List.of("a"), List.of("y"))), Map.of(),
                List.of(ValueInfo.of("x", 1L, 3L)), List.of(ValueInfo.of("y")));
        OnnxException e = fails(() -> OnnxImporter.importModel(m));
        assertTrue(e.getMessage().startsWith("custom.onnx: node 'squash' (Tanh): operator Tanh is not supported"),
                e.getMessage());
        OnnxModel domain = Graphs.model("custom.onnx", 13, List.of(new Node("n", "Foo", "com.example", List.of("x"),
                List.of("y"), Map.of())), Map.of(), List.of(ValueInfo.of("x", 1L)), List.of(ValueInfo.of("y")));
        contains(fails(() -> OnnxRunner.of(domain)), "custom.onnx: node 'n' (com.example.Foo)", "domain");
    }

    @Test
    void unsupportedAttributesAreErrorsNotIgnored() throws OnnxException {
        Map<String, OnnxTensor> w = Map.of("w", OnnxTensor.ofFloats(new float[2 * 2 * 9], 2, 2, 3, 3));
        OnnxModel grouped = Graphs.single(13, Node.of("c", "Conv", List.of("x", "w"), List.of("y"),
                Attribute.ofInt("group", 2)), w, 1L, 4L, 5L, 5L);
        contains(fails(() -> OnnxRunner.of(grouped)), "single.onnx: node 'c' (Conv): attribute group=2 is not supported");
        OnnxModel dilated = Graphs.single(13, Node.of("c", "Conv", List.of("x", "w"), List.of("y"),
                Attribute.ofInts("dilations", 2, 2)), w, 1L, 2L, 5L, 5L);
        contains(fails(() -> OnnxRunner.of(dilated)), "node 'c' (Conv): attribute dilations=[2, 2]");
        OnnxModel unknown = Graphs.single(13, Node.of("p", "MaxPool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofString("flavour", "extra")), Map.of(), 1L, 1L, 4L, 4L);
        contains(fails(() -> OnnxRunner.of(unknown)), "node 'p' (MaxPool): attribute flavour='extra' is not supported");
        OnnxModel order = Graphs.single(13, Node.of("p", "MaxPool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInt("storage_order", 1)), Map.of(), 1L, 1L, 4L, 4L);
        contains(fails(() -> OnnxRunner.of(order)), "storage_order=1");
        OnnxModel threeD = Graphs.single(13, Node.of("p", "AveragePool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 2, 2, 2)), Map.of(), 1L, 1L, 4L, 4L, 4L);
        contains(fails(() -> OnnxRunner.of(threeD)), "only 2-D windows");
    }

    @Test
    void brokenGraphsAreReported() throws OnnxException {
        OnnxModel dangling = Graphs.model("g.onnx", 13, List.of(Node.of("r", "Relu", List.of("nowhere"),
                List.of("y"))), Map.of(), List.of(ValueInfo.of("x", 1L)), List.of(ValueInfo.of("y")));
        contains(fails(() -> OnnxRunner.of(dangling)), "g.onnx: node 'r' (Relu): input 'nowhere' is produced by no node");
        OnnxModel cycle = Graphs.model("g.onnx", 13, List.of(
                Node.of("a", "Add", List.of("x", "c"), List.of("b")),
                Node.of("b", "Relu", List.of("b"), List.of("c"))), Map.of(),
                List.of(ValueInfo.of("x", 1L)), List.of(ValueInfo.of("c")));
        contains(fails(() -> OnnxRunner.of(cycle)), "g.onnx", "cycle");
    }

    @Test
    void aGraphThatIsNotAGoogLeNetStillRunsAndSaysWhy() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("r", "Relu", List.of("x"), List.of("y")), Map.of(),
                1L, 3L, 32L, 32L);
        ImportedModel im = OnnxImporter.importModel(m);
        assertTrue(im.model().isEmpty());
        assertTrue(im.notGoogLeNet().contains("node 'r' (Relu) has no place in a GoogLeNet"), im.notGoogLeNet());
        assertEquals(3 * 32 * 32, im.forward(Tensor.zeros(1, 3, 32, 32)).size());
    }

    // ------------------------------------------------------------- found by OnnxFuzzTest, kept as cases

    @Test
    void aStringAttributeWithoutItsStringIsAReadError() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("p", "MaxPool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 2, 2), Attribute.ofInt("auto_pad", 0)), Map.of(), 1L, 1L, 4L, 4L);
        byte[] b = OnnxIO.toBytes(m);
        // the one INT attribute's type field (20: key bytes A0 01, value 2) now says STRING (3): no string is set
        int at = -1;
        for (int i = 0; i + 2 < b.length; i++) {
            if ((b[i] & 0xff) == 0xa0 && b[i + 1] == 1 && b[i + 2] == Attribute.INT) {
                assertEquals(-1, at, "one INT attribute");
                at = i + 2;
            }
        }
        b[at] = Attribute.STRING;
        contains(fails(() -> OnnxIO.parse(b, "typed.onnx")), "typed.onnx: model.graph.node[0].attribute[1]: "
                + "attribute 'auto_pad' of type STRING has no value");
    }

    @Test
    void messagesStayOnOneLineWhateverTheFileHolds() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("bad\nname", "Ta\nh\u0000", List.of("x"), List.of("y")), Map.of(),
                1L, 3L);
        OnnxException e = fails(() -> OnnxRunner.of(m));
        assertTrue(e.getMessage().startsWith("single.onnx: node 'bad\\nname' (Ta\\nh\\u0000): operator"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        String huge = "x".repeat(5000);
        assertEquals(("f.onnx: " + huge).substring(0, OnnxException.MAX_MESSAGE) + "… (4008 more characters)",
                new OnnxException("f.onnx", huge).getMessage());
    }

    @Test
    void malformedPreprocessMetadataNamesTheFile() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("r", "Relu", List.of("x"), List.of("y")), Map.of(),
                1L, 3L, 32L, 32L);
        Map<String, String> meta = new java.util.LinkedHashMap<>(dev.googlenet.data.Preprocess.CAFFE.toMetadata());
        meta.put("preprocess.mean", "104,117");
        meta.put("googlenet.classes", "[\"" + "long ".repeat(100) + "\"]");
        OnnxModel bad = new OnnxModel(m.source(), m.irVersion(), m.opsetImports(), "", "", m.graph(), meta);
        OnnxException e = fails(() -> OnnxImporter.importModel(bad));
        assertEquals("single.onnx: metadata_props: preprocess.mean is '104,117'; allowed: 3 comma-separated finite "
                + "numbers", e.getMessage());
        assertFalse(e.getMessage().contains("long long"), "only the preprocess.* entries: " + e.getMessage());
    }

    @Test
    void poolingPadsAsWideAsTheWindowAreRefused() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("p", "AveragePool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 2, 3), Attribute.ofInts("pads", 0, 3, 0, 0)), Map.of(),
                1L, 1L, 4L, 4L);
        contains(fails(() -> OnnxRunner.of(m)), "single.onnx: node 'p' (AveragePool): attribute pads=[0, 3, 0, 0] "
                + "is not supported: pads must be smaller than the kernel [2, 3]");
    }

    @Test
    void resultsTooLargeToHoldAreErrorsBeforeAllocating() throws OnnxException {
        // a 1×1 convolution padded by 2^20 on each side: a [1,1,2097153,2097153] output
        OnnxModel conv = Graphs.single(13, Node.of("c", "Conv", List.of("x", "w"), List.of("y"),
                Attribute.ofInts("pads", 1 << 20, 1 << 20, 1 << 20, 1 << 20)),
                Map.of("w", OnnxTensor.ofFloats(new float[] {1}, 1, 1, 1, 1)), 1L, 1L, 1L, 1L);
        contains(fails(() -> OnnxRunner.of(conv).run(Tensor.zeros(1, 1, 1, 1))), "single.onnx: node 'c' (Conv): "
                + "Conv: a result of [1, 1, 2097153, 2097153] (4.40e+12 elements) is too large for this JVM's memory");
        // [50000,1] + [1,50000] broadcasts to 2.5e9 elements, more than an array holds
        OnnxModel add = Graphs.model("add.onnx", 13, List.of(Node.of("a", "Add", List.of("x", "t"), List.of("y"))),
                Map.of("t", OnnxTensor.ofFloats(new float[50_000], 1, 50_000)),
                List.of(ValueInfo.of("x", 50_000L, 1L)), List.of(ValueInfo.of("y")));
        contains(fails(() -> OnnxRunner.of(add).run(Tensor.zeros(50_000, 1))), "add.onnx: node 'a' (Add): "
                + "elementwise op: a result of [50000, 50000] (2.50e+09 elements) is too large");
    }
}
