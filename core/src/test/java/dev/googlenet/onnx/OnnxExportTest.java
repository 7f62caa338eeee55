package dev.googlenet.onnx;

import dev.googlenet.data.Preprocess;
import dev.googlenet.kernels.Softmax;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.Randomize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exported graphs run in ONNX Runtime (1.23, test scope) and give our model's outputs; they import back into an
 * equal model; the preprocessing travels in {@code metadata_props}.
 */
class OnnxExportTest {

    static Tensor randomInput(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /**
     * A torchvision model whose BatchNorm layers hold non-trivial statistics, so folding is really tested. Its
     * convolutions are He-normal (std √(2/fan_in)): with torchvision's std-0.01 init the activations vanish layer by
     * layer and two inputs' logits differ by 1e-7 of their size, so the ONNX file could compute them from another
     * input and still match.
     */
    static GoogLeNet torchvisionModel(int classes) {
        GoogLeNet m = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optNumClasses(classes).optSeed(7).build());
        Random r = new Random(3);
        Randomize.heNormalConvolutions(m.namedParameters(), r);
        m.namedParameters().forEach((name, p) -> {
            if (p.kind() == Param.Kind.NORM) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().data()[i] += (float) (0.2 * r.nextGaussian());
                }
            }
        });
        m.stateDict().forEach((name, t) -> {
            if (name.endsWith("running_mean")) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = (float) (0.05 * r.nextGaussian());
                }
            } else if (name.endsWith("running_var")) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = (float) (0.5 + r.nextDouble());
                }
            }
        });
        return m;
    }

    @Test
    void torchvisionExportRunsInOnnxRuntime(@TempDir Path dir) throws Exception {
        GoogLeNet model = torchvisionModel(10);
        Tensor x = randomInput(1, 2, 3, 64, 64);
        Tensor ours = model.forward(x);
        // the two images' logits differ by far more than the parity tolerance (1e-3 of the largest)
        float largest = 0, apart = 0;
        for (int i = 0; i < 10; i++) {
            largest = Math.max(largest, Math.abs(ours.data()[i]));
            apart = Math.max(apart, Math.abs(ours.data()[i] - ours.data()[10 + i]));
        }
        assertTrue(apart > 0.05f * largest, "the two images' logits differ by " + apart + " of " + largest);
        for (boolean fold : List.of(true, false)) {
            Path file = dir.resolve("tv-" + fold + ".onnx");
            OnnxExporter.export(model, Preprocess.TORCHVISION, file,
                    OnnxExporter.Options.defaults().withFoldBatchNorm(fold));
            byte[] bytes = java.nio.file.Files.readAllBytes(file);
            Map<String, Tensor> ort = Ort.run(bytes, "input", x);
            assertEquals(List.of("logits"), List.copyOf(ort.keySet()));
            Parity.assertClose("torchvision export (BN " + (fold ? "folded" : "kept") + ", 64×64) ORT vs ours",
                    ours, ort.get("logits"));

            // and back: the file imports as an equal GoogLeNet with its preprocessing
            ImportedModel back = OnnxImporter.importModel(file);
            assertNull(back.notGoogLeNet(), back.notGoogLeNet());
            assertEquals(Preprocess.TORCHVISION, back.preprocess());
            assertEquals(!fold, back.googLeNet().config().batchNorm());
            Parity.assertClose("torchvision export (BN " + (fold ? "folded" : "kept") + ") re-imported vs ours",
                    ours, back.googLeNet().forward(x));
            assertTrue(back.googLeNet().auxHeads().isEmpty(), "aux heads are never exported");
        }
    }

    @Test
    void paperExportRunsInOnnxRuntime(@TempDir Path dir) throws Exception {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optSeed(5).build());
        Tensor x = randomInput(2, 1, 3, 224, 224);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] *= 50; // Caffe's scale: 0–255 minus the mean
        }
        Tensor ours = model.forward(x);
        Path file = dir.resolve("paper.onnx");
        OnnxExporter.export(model, Preprocess.CAFFE, file, OnnxExporter.Options.defaults().withProbabilities(true));
        Map<String, Tensor> ort = Ort.run(java.nio.file.Files.readAllBytes(file), "input", x);
        Parity.assertClose("paper export (224) ORT logits vs ours", ours, ort.get("logits"));
        Parity.assertClose("paper export (224) ORT prob vs softmax(ours)", softmax(ours), ort.get("prob"));
        ImportedModel back = OnnxImporter.importModel(file);
        assertEquals(Preprocess.CAFFE, back.preprocess());
        assertEquals(Variant.PAPER, back.googLeNet().config().variant());
        assertEquals(model.stateDict().keySet().stream().filter(k -> !k.startsWith("aux")).toList(),
                List.copyOf(back.googLeNet().stateDict().keySet()));
        back.googLeNet().stateDict().forEach((k, t) -> assertTrue(
                java.util.Arrays.equals(t.data(), model.stateDict().get(k).data()), k));
    }

    @Test
    void preprocessTravelsAsMetadata() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).optNumClasses(3).build());
        OnnxModel m = OnnxExporter.toOnnx(model, Preprocess.TORCHVISION_GOOGLENET_PRETRAINED,
                OnnxExporter.Options.defaults(), "x.onnx");
        assertEquals(Preprocess.TORCHVISION_GOOGLENET_PRETRAINED, Preprocess.fromMetadata(m.metadata()));
        assertEquals("torchvision", m.metadata().get("googlenet.variant"));
        assertFalse(m.graph().nodes().stream().anyMatch(n -> n.opType().equals("BatchNormalization")));
        // and it survives the bytes
        OnnxModel again = assertDoesNotThrowParse(OnnxIO.toBytes(m));
        assertEquals(m.metadata(), again.metadata());
    }

    @Test
    void classNamesTravelAsMetadataAndComeBackOnImport(@TempDir Path dir) throws Exception {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).optNumClasses(5).build());
        // commas, quotes, backslashes, control characters and non-ASCII (2-, 3- and 4-byte UTF-8)
        List<String> names = List.of("T-shirt, top", "say \"cheese\"", "back\\slash\ttab\nnewline",
                "Größe — 猫 🐈", "");
        Path file = dir.resolve("named.onnx");
        OnnxExporter.export(model, Preprocess.TORCHVISION, names, file, OnnxExporter.Options.defaults());
        OnnxModel written = OnnxIO.read(file);
        String json = written.metadata().get(OnnxExporter.META_CLASSES);
        // a real JSON array, read back by an independent parser
        assertEquals(names, new com.fasterxml.jackson.databind.ObjectMapper().readValue(json,
                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { }));
        ImportedModel back = OnnxImporter.importModel(file);
        assertEquals(names, back.classNames());
        assertEquals(Preprocess.TORCHVISION, back.preprocess(), "the preprocessing metadata is still there");
        assertEquals("5", written.metadata().get("googlenet.num_classes"));

        // a file without names imports with none; a name count that does not fit the model is refused
        assertEquals(List.of(), OnnxImporter.importModel(OnnxExporter.toOnnx(model, null,
                OnnxExporter.Options.defaults(), "plain.onnx")).classNames());
        IllegalArgumentException wrongCount = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> OnnxExporter.toOnnx(model, null, List.of("a", "b"),
                        OnnxExporter.Options.defaults(), "x.onnx"));
        assertEquals("2 class names for a model with 5 classes", wrongCount.getMessage());
    }

    @Test
    void malformedClassNamesAreOneErrorNamingTheFile() throws Exception {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).optNumClasses(2).build());
        OnnxModel good = OnnxExporter.toOnnx(model, null, OnnxExporter.Options.defaults(), "bad.onnx");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("not json", "bad.onnx: metadata_props 'googlenet.classes' is not a JSON array of strings (");
        cases.put("{\"a\": 1}", "bad.onnx: metadata_props 'googlenet.classes' is not a JSON array of strings");
        cases.put("[\"a\", 2]", "bad.onnx: metadata_props 'googlenet.classes' is not a JSON array of strings "
                + "(found VALUE_NUMBER_INT at entry 1)");
        cases.put("[\"a\", \"b\"] [", "bad.onnx: metadata_props 'googlenet.classes' is not a JSON array of strings "
                + "(text after the array)");
        cases.put("[\"a\", \"b\", \"c\"]", "bad.onnx: metadata_props 'googlenet.classes' names 3 classes, the "
                + "classifier has 2");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Map<String, String> meta = new java.util.LinkedHashMap<>(good.metadata());
            meta.put(OnnxExporter.META_CLASSES, c.getKey());
            OnnxModel bad = new OnnxModel(good.source(), good.irVersion(), good.opsetImports(), good.producerName(),
                    good.producerVersion(), good.graph(), meta);
            OnnxException e = org.junit.jupiter.api.Assertions.assertThrows(OnnxException.class,
                    () -> OnnxImporter.importModel(bad));
            assertTrue(e.getMessage().startsWith(c.getValue()), c.getKey() + " → " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    private static OnnxModel assertDoesNotThrowParse(byte[] b) {
        try {
            return OnnxIO.parse(b, "x.onnx");
        } catch (OnnxException e) {
            throw new AssertionError(e);
        }
    }

    static Tensor softmax(Tensor logits) {
        return Softmax.rows(logits);
    }

}
