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
}
