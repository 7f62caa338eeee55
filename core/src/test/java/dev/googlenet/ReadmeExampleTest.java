package dev.googlenet;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.ImageTensors;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.explain.Explainer;
import dev.googlenet.explain.Localization;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.ImageClassifier.Prediction;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Library" snippets, verbatim between the {@code // README: name} and {@code // README: end} markers,
 * run against the reference data in {@code ../shared} with their results checked; and the README checked to still
 * show exactly these lines (the block after {@code <!-- ReadmeExampleTest: name -->}), so the two cannot drift.
 */
class ReadmeExampleTest {

    /** The parity rule for PyTorch references: max abs error ≤ 1e-3 × max |reference|. */
    private static void assertClose(String what, float[] ref, float[] got) {
        assertEquals(ref.length, got.length, what + ": size");
        double maxRef = 0, err = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            err = Math.max(err, Math.abs(ref[i] - got[i]));
        }
        double e = err, tol = 1e-3 * maxRef;
        assertTrue(e <= tol, () -> what + ": max abs error " + e + " > " + tol);
    }

    private static float[] row(Tensor t, int n) {
        int width = t.size() / t.dim(0);
        return Arrays.copyOfRange(t.data(), n * width, (n + 1) * width);
    }

    @Test
    void classifyAnImageAndGetItsFeatures() throws IOException {
        Path weights = SharedData.file("reference/tv_calibrated.safetensors");
        Path image = SharedData.file("images/chelsea.png");
        // README: classify
        LoadedModel model = Models.load(weights, Variant.TORCHVISION);   // a torchvision state dict (safetensors)
        List<Prediction> top5 = model.classify(image, 5);                // resize 256, center crop 224, softmax
        for (Prediction p : top5) {
            System.out.printf("%-24s %5.1f%%%n", p.label(), 100 * p.probability());
        }
        Tensor features = model.features(model.input(List.of(ImageDecoder.decode(image))));   // [1,1024]: what fc reads
        // README: end

        // PyTorch's results for these weights on chelsea.png (image 0 of explain_cases), torchvision preprocessing
        SafetensorsFile ref = Safetensors.read(SharedData.file("reference/explain_cases.safetensors"));
        assertEquals(ref.longs("class")[0], top5.getFirst().index());
        assertEquals(ImageClassifier.imagenetLabels().get(top5.getFirst().index()), top5.getFirst().label());
        assertEquals(5, top5.size());
        for (int i = 1; i < 5; i++) {
            assertTrue(top5.get(i).probability() <= top5.get(i - 1).probability(), "sorted by probability");
        }
        Tensor logits = model.logits(model.input(List.of(ImageDecoder.decode(image))));
        assertClose("logits of chelsea.png", row(ref.tensor("logits"), 0), logits.data());
        // the features are inception 5b's output averaged over its 7×7 positions
        Tensor a5b = ref.tensor("inception5b");
        float[] pooled = new float[1024];
        for (int c = 0; c < 1024; c++) {
            double s = 0;
            for (int i = 0; i < 49; i++) {
                s += a5b.data()[c * 49 + i];
            }
            pooled[c] = (float) (s / 49);
        }
        assertArrayEquals(new int[] {1, 1024}, features.shape());
        assertClose("features of chelsea.png", pooled, features.data());
    }

    @Test
    void explainWithGradCam() throws IOException {
        Path weights = SharedData.file("reference/tv_calibrated.safetensors");
        Path image = SharedData.file("images/chelsea.png");
        // README: explain
        LoadedModel model = Models.load(weights, Variant.TORCHVISION);
        Explainer explainer = model.explainer();                         // thread-safe; cheap to make
        Tensor input = model.input(List.of(ImageDecoder.decode(image))); // [1,3,224,224]
        Explainer.Explanation e = explainer.gradCam(input, null, "inception5b");   // null: the top class
        Tensor heat = e.heatmap();                                       // [1,224,224], min–max scaled to [0,1]
        Localization.Box box = Localization.box(heat, 0);                // CAM paper: >20% of max, largest region
        // README: end

        SafetensorsFile ref = Safetensors.read(SharedData.file("reference/explain_cases.safetensors"));
        assertEquals(ref.longs("class")[0], e.classes()[0]);
        assertArrayEquals(new int[] {1, 224, 224}, heat.shape());
        float[] expected = Arrays.copyOfRange(ref.tensor("gradcam.inception5b.224").data(), 0, 224 * 224);
        assertClose("Grad-CAM heat map of chelsea.png", expected, heat.data());
        assertTrue(box != null && box.area() > 0 && box.x1() <= 224 && box.y1() <= 224, String.valueOf(box));
    }

    @Test
    void anyFileWithTenCrops() throws IOException {
        Path onnxFile = SharedData.file("reference/tv_eval.onnx");
        List<Path> images = List.of(SharedData.file("images/chelsea.png"), SharedData.file("images/rocket.jpg"));
        // README: crops
        LoadedModel onnx = Models.load(onnxFile);                            // .onnx, our .safetensors, or a run folder
        List<List<Prediction>> top3 = onnx.classify(images, 3, Tta.Mode.TEN);  // ten crops each, softmax averaged
        // README: end

        assertTrue(onnx.plan().isPresent(), "tv_eval.onnx maps onto a GoogLeNet and runs on its plan");
        // (ModelsTest holds the plan's logits to PyTorch's.) Each image: its ten crops' softmax averaged
        assertEquals(2, top3.size());
        for (int i = 0; i < 2; i++) {
            List<RgbImage> crops = Tta.crops(ImageDecoder.decode(images.get(i)), onnx.preprocess(), Tta.Mode.TEN);
            assertEquals(10, crops.size());
            float[] mean = Tta.softmaxAverage(onnx.logits(ImageTensors.stack(crops, onnx.preprocess())));
            float[] sorted = mean.clone();
            Arrays.sort(sorted);
            for (int k = 0; k < 3; k++) {
                Prediction p = top3.get(i).get(k);
                assertEquals(sorted[sorted.length - 1 - k], p.probability(), 0f, "image " + i + " rank " + k);
                assertEquals(mean[p.index()], p.probability(), 0f);
                assertEquals(ImageClassifier.imagenetLabels().get(p.index()), p.label());
            }
        }
    }

    @Test
    void trainOneStepThenCompile() throws IOException {
        Path stateDict = SharedData.file("reference/tv_state.safetensors");
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));
        // two of the reference's four training images: one step costs seconds, not tens of them
        Tensor batch = Tensor.of(Arrays.copyOf(cases.tensor("train.input").data(), 2 * 3 * 224 * 224), 2, 3, 224, 224);
        int[] labels = Arrays.stream(cases.longs("train.labels")).limit(2).mapToInt(Math::toIntExact).toArray();
        // README: train
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder()
                .setVariant(Variant.TORCHVISION)   // required
                .optNumClasses(1000)               // optional settings: classes, aux heads, dropout, seed
                .optAuxHeads(true)
                .build());
        StateDicts.load(stateDict, model);                          // torchvision parameter names

        Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 2e-4f, false);   // PyTorch's SGD semantics
        sgd.zeroGrad();
        Outputs out = model.forwardTrain(batch);                    // main, aux1 (after 4a), aux2 (after 4d)
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, labels, GoogLeNetLoss.PAPER_AUX_WEIGHT); // main + 0.3·(aux1 + aux2)
        model.backward(loss.gradients());
        sgd.step();

        LoadedModel trained = Models.of(model, Preprocess.TORCHVISION);   // compiled as the weights are now
        // README: end

        // the main loss is the mean cross-entropy of the main logits, and fc.bias's gradient is its derivative
        // (softmax − one-hot) / N: whatever dropout did before fc, these follow from the logits
        Tensor main = out.main();
        int n = main.dim(0), classes = main.dim(1);
        double ce = 0;
        double[] biasGrad = new double[classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, main.get(i, c));
            }
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(main.get(i, c) - max);
            }
            ce += Math.log(sum) + max - main.get(i, labels[i]);
            for (int c = 0; c < classes; c++) {
                biasGrad[c] += (Math.exp(main.get(i, c) - max) / sum - (c == labels[i] ? 1 : 0)) / n;
            }
        }
        assertEquals(ce / n, loss.main(), 1e-4 * ce / n);
        assertEquals(loss.main() + 0.3f * (loss.aux1() + loss.aux2()), loss.total(), 1e-4f);
        // the first step is p − lr·(grad + wd·p), from the weights in the file
        Map<String, Tensor> before = StateDicts.tensors(Safetensors.read(stateDict));
        var bias = model.namedParameters().get("fc.bias");
        float[] p0 = before.get("fc.bias").data();
        for (int i = 0; i < p0.length; i++) {
            assertEquals(biasGrad[i], bias.grad().data()[i], 1e-6, "fc.bias grad [" + i + "]");
            float expected = p0[i] - 0.01f * (bias.grad().data()[i] + 2e-4f * p0[i]);
            assertEquals(expected, bias.value().data()[i], 1e-6f, "fc.bias[" + i + "]");
        }
        // the compiled model is the trained one, not the file's
        Tensor x = cases.tensor("eval.input");
        Tensor logits = trained.logits(x);
        assertClose("plan of the trained model vs its layers", model.forward(x).data(), logits.data());
        assertFalse(Arrays.equals(cases.tensor("eval.logits").data(), logits.data()));
    }

    /** The README's blocks are this file's snippets, line for line; every README block has its snippet here. */
    @Test
    void readmeShowsExactlyTheseSnippets() throws IOException {
        Path root = projectRoot();
        Map<String, List<String>> inReadme = blocks(Files.readAllLines(root.resolve("README.md")));
        Map<String, List<String>> inTest = snippets(Files.readAllLines(
                root.resolve("core/src/test/java/dev/googlenet/ReadmeExampleTest.java")));
        assertEquals(List.of("classify", "explain", "crops", "train"), List.copyOf(inTest.keySet()));
        assertEquals(inTest.keySet(), inReadme.keySet(), "README blocks marked <!-- ReadmeExampleTest: name -->");
        for (String name : inTest.keySet()) {
            assertEquals(String.join("\n", inTest.get(name)), String.join("\n", inReadme.get(name)),
                    "README block '" + name + "' differs from the snippet run here");
        }
    }

    private static final String README_MARK = "<!-- ReadmeExampleTest: ";
    private static final String SOURCE_MARK = "// README: ";

    /** The ```java block after each {@code <!-- ReadmeExampleTest: name -->} line. */
    static Map<String, List<String>> blocks(List<String> readme) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < readme.size(); i++) {
            String line = readme.get(i).strip();
            if (!line.startsWith(README_MARK)) {
                continue;
            }
            String name = line.substring(README_MARK.length(), line.length() - "-->".length()).strip();
            assertEquals("```java", readme.get(i + 1), "README: a ```java block right after the marker " + name);
            List<String> block = new ArrayList<>();
            int j = i + 2;
            for (; !readme.get(j).equals("```"); j++) {
                block.add(readme.get(j));
            }
            out.put(name, block);
            i = j;
        }
        return out;
    }

    /** The lines between {@code // README: name} and {@code // README: end}, less their common indentation. */
    static Map<String, List<String>> snippets(List<String> source) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < source.size(); i++) {
            String line = source.get(i).strip();
            if (!line.startsWith(SOURCE_MARK) || line.equals(SOURCE_MARK + "end")) {
                continue;
            }
            String name = line.substring(SOURCE_MARK.length());
            if (!name.matches("[a-z]+")) {
                continue; // the markers quoted in comments and constants, not a snippet
            }
            List<String> lines = new ArrayList<>();
            int j = i + 1;
            for (; !source.get(j).strip().equals(SOURCE_MARK + "end"); j++) {
                lines.add(source.get(j));
            }
            int indent = lines.stream().filter(l -> !l.isBlank())
                    .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
            out.put(name, lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
            i = j;
        }
        return out;
    }

    /** The checkout's root: the folder above the working directory that holds README.md and core/. */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("core"))) {
                return dir;
            }
        }
        throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
    }
}
