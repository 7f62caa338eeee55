package dev.googlenet.infer;

import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Dataset;
import dev.googlenet.data.FloatImage;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.ImageClassifier.Prediction;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.onnx.OnnxIO;
import dev.googlenet.onnx.OnnxModel;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import dev.googlenet.train.Checkpoints;
import dev.googlenet.train.ScheduleKind;
import dev.googlenet.train.Trainer;
import dev.googlenet.train.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Models#load} on every kind of input it reads, and one clear error for each kind it does not. */
class ModelsTest {
    @TempDir
    Path dir;

    /** The project's parity rule for PyTorch references: max abs error ≤ 1e-3 × max |reference|. */
    static void assertClose(String what, Tensor ref, Tensor got) {
        assertArrayEquals(ref.shape(), got.shape(), what + ": shape");
        double maxRef = 0, err = 0;
        for (int i = 0; i < ref.size(); i++) {
            maxRef = Math.max(maxRef, Math.abs(ref.data()[i]));
            err = Math.max(err, Math.abs(ref.data()[i] - got.data()[i]));
        }
        System.out.printf("PARITY %-50s max abs error %.3e of max |ref| %.3e%n", what, err, maxRef);
        double e = err, tol = 1e-3 * maxRef;
        assertTrue(e <= tol, () -> what + ": max abs error " + e + " > " + tol);
    }

    private static int argmax(Tensor logits, int row) {
        int classes = logits.dim(1), best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits.data()[row * classes + c] > logits.data()[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    @Test
    void torchvisionOnnxExportBecomesAGoogLeNetOnAPlan() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));
        LoadedModel m = Models.load(SharedData.file("reference/tv_eval.onnx"));
        assertEquals("tv_eval.onnx (GoogLeNet, torchvision)", m.description());
        assertTrue(m.googLeNet().isPresent() && m.plan().isPresent());
        assertEquals(Variant.TORCHVISION, m.googLeNet().get().config().variant());
        assertEquals(Preprocess.TORCHVISION, m.preprocess());
        assertEquals(1000, m.numClasses());
        assertEquals("tench", m.classNames().getFirst()); // ImageNet's names: the file has none of its own
        assertEquals(3, m.inputChannels());
        assertEquals(224, m.inputSize());

        Tensor input = cases.tensor("eval.input");
        Tensor logits = m.logits(input);
        assertClose("Models.load(tv_eval.onnx).logits → eval.logits", cases.tensor("eval.logits"), logits);
        // the features are what the classifier reads: fc(features) gives the logits
        Tensor features = m.features(input);
        assertArrayEquals(new int[] {2, 1024}, features.shape());
        Map<String, Tensor> sd = m.googLeNet().get().stateDict();
        Tensor w = sd.get("fc.weight"), b = sd.get("fc.bias");
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 1000; c += 97) {
                double s = b.data()[c];
                for (int k = 0; k < 1024; k++) {
                    s += (double) w.data()[c * 1024 + k] * features.data()[n * 1024 + k];
                }
                assertEquals(logits.data()[n * 1000 + c], s, 1e-4 * (1 + Math.abs(s)), "logit " + n + "," + c);
            }
        }
    }

    @Test
    void paperOnnxGraphIsACaffeStyleGoogLeNet() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/paper_cases.safetensors"));
        LoadedModel m = Models.load(SharedData.file("reference/paper_eval.onnx"));
        assertEquals("paper_eval.onnx (GoogLeNet, paper)", m.description());
        assertEquals(Variant.PAPER, m.googLeNet().orElseThrow().config().variant());
        assertEquals(Preprocess.CAFFE, m.preprocess());
        // the graph ends in Softmax; the loaded model still gives logits
        assertClose("Models.load(paper_eval.onnx).logits → logits", cases.tensor("logits"),
                m.logits(cases.tensor("input")));
        List<Prediction> top = m.classify(SharedData.file("images/chelsea.png"), 3);
        assertEquals(3, top.size());
        Tensor x = m.input(List.of(ImageDecoder.decode(SharedData.file("images/chelsea.png"))));
        assertArrayEquals(new int[] {1, 3, 224, 224}, x.shape());
        float[] into = new float[3 * 224 * 224];
        java.util.Arrays.fill(into, Float.NaN); // every value is written
        m.input(ImageDecoder.decode(SharedData.file("images/chelsea.png")), into);
        assertArrayEquals(x.data(), into, 0f);
        assertThrows(IllegalArgumentException.class, () -> m.input(ImageDecoder.decode(SharedData.file(
                "images/chelsea.png")), new float[3 * 224 * 223]));
        assertEquals(argmax(m.logits(x), 0), top.getFirst().index());
        assertEquals(m.classNames().get(top.getFirst().index()), top.getFirst().label());
    }

    /** A graph that is not a GoogLeNet: mean color → softmax over three classes named in its metadata. */
    private Path meanColorGraph(Map<String, String> metadata) throws IOException {
        List<Node> nodes = List.of(
                Node.of("gap", "GlobalAveragePool", List.of("x"), List.of("p")),
                Node.of("flat", "Flatten", List.of("p"), List.of("f")),
                Node.of("soft", "Softmax", List.of("f"), List.of("y")));
        OnnxModel model = new OnnxModel("colors.onnx", 7, Map.of("", 13L), "test", "",
                new OnnxModel.Graph("g", nodes, Map.of(), List.of(ValueInfo.of("x", "N", 3L, "H", "W")),
                        List.of(ValueInfo.of("y", "N", 3L))), metadata);
        Path file = dir.resolve("colors.onnx");
        OnnxIO.write(model, file);
        return file;
    }

    @Test
    void anotherOnnxGraphRunsAsAGraphWithItsClassNames() throws IOException {
        Map<String, String> meta = new java.util.LinkedHashMap<>(Map.of(Checkpoints.META_CLASSES,
                "[\"red\",\"green\",\"blue\"]"));
        meta.putAll(Preprocess.TORCHVISION.toMetadata());
        LoadedModel m = Models.load(meanColorGraph(meta));
        assertEquals("colors.onnx (ONNX graph)", m.description());
        assertTrue(m.googLeNet().isEmpty() && m.plan().isEmpty());
        assertEquals(List.of("red", "green", "blue"), m.classNames());
        // probabilities out of the graph come back as log-probabilities: logits up to a constant
        Tensor x = Tensor.of(new float[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, 1, 3, 2, 2);
        Tensor logits = m.logits(x);
        double z = Math.log(Math.exp(0) + Math.exp(1) + Math.exp(2));
        assertArrayEquals(new float[] {(float) -z, (float) (1 - z), (float) (2 - z)}, logits.data(), 1e-5f);
        // a reddish image is "red", whatever the preprocessing's mean and std do to it
        byte[] rgb = new byte[16 * 16 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 250;
            rgb[i + 1] = 10;
            rgb[i + 2] = 10;
        }
        List<Prediction> top = m.classify(new RgbImage(16, 16, rgb), 2);
        assertEquals("red", top.getFirst().label());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> m.features(x));
        assertTrue(e.getMessage().startsWith("colors.onnx (ONNX graph): features need a GoogLeNet"), e.getMessage());
    }

    @Test
    void anOnnxGraphWithTheWrongNumberOfClassNamesIsRefused() throws IOException {
        Path file = meanColorGraph(Map.of(Checkpoints.META_CLASSES, "[\"red\",\"green\"]"));
        IOException e = assertThrows(IOException.class, () -> Models.load(file));
        assertEquals(file + ": googlenet.classes metadata names 2 classes, the model has 3", e.getMessage());
    }

    /**
     * The paper variant: the torchvision one at this width, freshly initialized, gives every image the same logits
     * in eval mode (to the last bit), so a comparison of logits or predictions would pass with another image.
     */
    private static GoogLeNetConfig tinyConfig() {
        return GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(4).optSmallInput(true)
                .optWidth(1 / 16f).optInputChannels(1).optSeed(7).build();
    }

    private static final Preprocess GRAY = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 10, 8);

    private static final List<String> ORIENTATIONS = List.of("horizontal", "vertical", "diagonal", "anti-diagonal");

    @Test
    void trainedWeightsCarryTheirConfigurationPreprocessingAndClassNames() throws IOException {
        GoogLeNet model = new GoogLeNet(tinyConfig());
        Path file = dir.resolve("weights-epoch002.safetensors");
        StateDicts.save(file, model, Checkpoints.weightsMetadata(tinyConfig(), ORIENTATIONS, GRAY, "raw", 2));

        LoadedModel m = Models.load(file);
        assertEquals("weights-epoch002.safetensors (trained, epoch 2)", m.description());
        assertEquals(tinyConfig(), m.googLeNet().orElseThrow().config());
        assertEquals(ORIENTATIONS, m.classNames());
        assertEquals(GRAY, m.preprocess());
        assertEquals(1, m.inputChannels());
        assertEquals(8, m.inputSize());

        Random rnd = new Random(4);
        byte[] rgb = new byte[12 * 10 * 3];
        rnd.nextBytes(rgb);
        RgbImage image = new RgbImage(12, 10, rgb);
        Tensor x = m.input(List.of(image));
        assertArrayEquals(new int[] {1, 1, 8, 8}, x.shape());
        float[] into = new float[64];
        java.util.Arrays.fill(into, Float.NaN);
        m.input(image, into);
        assertArrayEquals(x.data(), into, 0f); // the gray path into an array of the caller's
        Tensor want = InferencePlan.compile(model).logits(x);
        assertArrayEquals(want.data(), m.logits(x).data(), 0f); // the same weights, the same plan
        // another image gets other logits (by far more than the bitwise comparisons' tolerance)
        float[] other = m.logits(m.input(List.of(new RgbImage(12, 10, new byte[12 * 10 * 3])))).data();
        float largest = 0, apart = 0;
        for (int c = 0; c < 4; c++) {
            largest = Math.max(largest, Math.abs(want.data()[c]));
            apart = Math.max(apart, Math.abs(want.data()[c] - other[c]));
        }
        assertTrue(apart > 1e-3f * largest, "two images' logits differ by " + apart + " of " + largest);
        List<Prediction> top = m.classify(image, 4);
        assertEquals(ORIENTATIONS.get(argmax(want, 0)), top.getFirst().label());
        assertEquals(4, top.size());
        // an unreadable image is one error naming it
        Path truncated = SharedData.file("images/truncated.jpg");
        IOException bad = assertThrows(IOException.class, () -> m.classify(List.of(truncated), 1));
        assertTrue(bad.getMessage().startsWith(truncated + ": truncated JPEG"), bad.getMessage());

        // the variant given must be the one it was trained as
        assertEquals(tinyConfig(), Models.load(file, Variant.PAPER).googLeNet().orElseThrow().config());
        IOException e = assertThrows(IOException.class, () -> Models.load(file, Variant.TORCHVISION));
        assertEquals(file + ": holds a paper GoogLeNet (its googlenet.config metadata), not torchvision",
                e.getMessage());
    }

    /** Four classes of 8×8 gray bars (horizontal, vertical, diagonal, anti-diagonal), as in TrainerTest. */
    private static final class Bars implements Dataset {
        @Override
        public int size() {
            return 12;
        }

        @Override
        public int label(int index) {
            return index % 4;
        }

        @Override
        public FloatImage image(int index) {
            Random r = new Random(index);
            float[] px = new float[64];
            int k = r.nextInt(8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = switch (label(index)) {
                        case 0 -> y == k;
                        case 1 -> x == k;
                        case 2 -> x - y == k - 4;
                        default -> x + y == k + 3;
                    };
                    px[y * 8 + x] = (on ? 0.8f : 0.1f) + 0.1f * r.nextFloat();
                }
            }
            return new FloatImage(1, 8, 8, px);
        }

        @Override
        public List<String> classes() {
            return ORIENTATIONS;
        }
    }

    @Test
    void aRunFolderGivesItsLastEpochWithTheAveragedWeights() throws IOException {
        Path run = dir.resolve("run");
        TrainingConfig recipe = TrainingConfig.builder().epochs(2).batchSize(6).learningRate(0.05)
                .schedule(ScheduleKind.COSINE).emaDecay(0.5).seed(3).build();
        try (DataLoader train = DataLoader.builder(new Bars()).batchSize(6).seed(3).dropLast(true).build()) {
            new Trainer(new GoogLeNet(tinyConfig()), recipe, train, null, run).preprocess(GRAY).fit();
        }
        LoadedModel m = Models.load(run);
        assertEquals("run (trained, epoch 2, ema weights)", m.description());
        assertEquals(ORIENTATIONS, m.classNames());
        assertEquals(GRAY, m.preprocess());

        Tensor x = Tensor.zeros(3, 1, 8, 8);
        Random rnd = new Random(2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) rnd.nextGaussian();
        }
        Tensor ema = InferencePlan.compile(Checkpoints.load(run.resolve("ema-epoch002.safetensors"), true).model())
                .logits(x);
        Tensor raw = InferencePlan.compile(Checkpoints.load(run.resolve("weights-epoch002.safetensors"), true)
                .model()).logits(x);
        assertArrayEquals(ema.data(), m.logits(x).data(), 0f);
        assertFalse(java.util.Arrays.equals(ema.data(), raw.data()), "the average differs from the raw weights");
        // the checkpoint file itself names the same model
        assertArrayEquals(ema.data(), Models.load(run.resolve(Checkpoints.JSON)).logits(x).data(), 0f);
    }

    @Test
    void torchvisionStateDictLoadsWithItsVariant() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));
        Path file = SharedData.file("reference/tv_state.safetensors");
        LoadedModel m = Models.load(file, Variant.TORCHVISION);
        assertEquals("tv_state.safetensors (torchvision)", m.description());
        assertTrue(m.googLeNet().orElseThrow().config().auxHeads(), "the file has aux-head weights");
        assertEquals(Preprocess.TORCHVISION, m.preprocess());
        assertEquals(ImageClassifier.imagenetLabels(), m.classNames());
        assertClose("Models.load(tv_state, TORCHVISION).logits → eval.logits", cases.tensor("eval.logits"),
                m.logits(cases.tensor("eval.input")));

        // the explicit override: a new model on the same plan; the original keeps its preprocessing
        LoadedModel pretrained = m.withPreprocess(Preprocess.TORCHVISION_GOOGLENET_PRETRAINED);
        assertEquals(Preprocess.TORCHVISION_GOOGLENET_PRETRAINED, pretrained.preprocess());
        assertEquals(Preprocess.TORCHVISION, m.preprocess());
        assertSame(m.plan().orElseThrow(), pretrained.plan().orElseThrow());
        RgbImage cat = ImageDecoder.decode(SharedData.file("images/chelsea.png"));
        assertFalse(java.util.Arrays.equals(m.input(List.of(cat)).data(), pretrained.input(List.of(cat)).data()));
    }

    /**
     * On tv_calibrated, whose eval mode depends on the image: tv_eval.onnx (tv_state's tiny init) gives the cat and
     * the rocket the same probabilities, so the rocket's could be checked against the cat's crops.
     */
    @Test
    void tenCropsAverageTheCropsSoftmax() throws IOException {
        LoadedModel m = Models.load(SharedData.file("reference/tv_calibrated.safetensors"), Variant.TORCHVISION);
        Path cat = SharedData.file("images/chelsea.png"), rocket = SharedData.file("images/rocket.jpg");
        List<List<Prediction>> ten = m.classify(List.of(cat, rocket), 5, Tta.Mode.TEN);
        assertEquals(2, ten.size());
        float pCat = ten.get(0).getFirst().probability(), pRocket = ten.get(1).getFirst().probability();
        assertTrue(Math.abs(pCat - pRocket) > 1e-3f, "the images' top probabilities: " + pCat + " and " + pRocket);
        // by hand: the ten crops' softmax, averaged
        List<RgbImage> crops = Tta.crops(ImageDecoder.decode(rocket), m.preprocess(), Tta.Mode.TEN);
        float[] mean = Tta.softmaxAverage(m.logits(ImageClassifier.tensor(crops, m.preprocess(), 3)));
        Prediction best = ten.get(1).getFirst();
        assertEquals(mean[best.index()], best.probability(), 1e-6f);
        for (float p : mean) {
            assertTrue(p <= best.probability() + 1e-7f);
        }
    }

    @Test
    void badInputsAreOneClearErrorEach() throws IOException {
        Path missing = dir.resolve("nothing-here.onnx");
        assertEquals(missing + ": no such file or folder",
                assertThrows(IOException.class, () -> Models.load(missing)).getMessage());

        Path folder = Files.createDirectories(dir.resolve("not-a-run"));
        assertEquals(folder + ": a folder without checkpoint.json, so not a training run (give a run folder, an "
                + ".onnx file or a .safetensors file)",
                assertThrows(IOException.class, () -> Models.load(folder)).getMessage());

        Path text = Files.writeString(dir.resolve("notes.txt"), "not a model\n");
        assertEquals(text + ": not a model file: expected an .onnx or .safetensors file, or a training run folder "
                + "with checkpoint.json", assertThrows(IOException.class, () -> Models.load(text)).getMessage());

        Path pickle = Files.write(dir.resolve("googlenet.pth"), new byte[] {(byte) 0x80, 2, 'c'});
        assertTrue(assertThrows(IOException.class, () -> Models.load(pickle)).getMessage()
                .endsWith("(PyTorch pickles are not read: save the state dict with safetensors.torch.save_file)"));

        Path plain = dir.resolve("plain.safetensors");
        StateDicts.save(plain, new GoogLeNet(tinyConfig()), Map.of());
        Models.MissingVariantException e = assertThrows(Models.MissingVariantException.class,
                () -> Models.load(plain));
        assertEquals(plain + ": no variant in its metadata (googlenet.variant); load it with its variant, "
                + "Models.load(file, Variant.TORCHVISION or Variant.PAPER)", e.getMessage());
        assertEquals(plain, e.file());

        // the wrong variant for a state dict: the weights do not fit, and the file is named
        IOException wrong = assertThrows(IOException.class,
                () -> Models.load(SharedData.file("reference/tv_state.safetensors"), Variant.PAPER));
        assertTrue(wrong.getMessage().startsWith(SharedData.file("reference/tv_state.safetensors")
                + ": weights do not fit GoogLeNet(paper"), wrong.getMessage());

        IOException onnxWithVariant = assertThrows(IOException.class,
                () -> Models.load(SharedData.file("reference/tv_eval.onnx"), Variant.TORCHVISION));
        assertTrue(onnxWithVariant.getMessage().endsWith("tv_eval.onnx: an ONNX graph defines its own architecture; "
                + "load it without a variant"), onnxWithVariant.getMessage());

        for (Throwable t : List.of(wrong, onnxWithVariant, e)) {
            assertEquals(1, t.getMessage().lines().count(), t.getMessage());
        }
    }
}
