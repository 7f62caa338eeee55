package dev.googlenet.cli;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.onnx.OnnxExporter;
import dev.googlenet.onnx.OnnxImporter;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import dev.googlenet.train.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** classify, eval, export and fetch, end to end through the command line. */
class ImageCommandsTest {
    @TempDir
    static Path dir;
    static Path weights;

    /**
     * A torchvision GoogLeNet with the weights of shared/reference/tv_calibrated: its eval mode depends on the image.
     * A freshly initialized one (std-0.01 weights) gives every input the same logits to the last bit, so comparing
     * the exported files' logits would check the classifier's bias only.
     */
    @BeforeAll
    static void model() throws IOException {
        GoogLeNet tv = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optAuxHeads(false)
                .build());
        tv.loadStateDict(StateDicts.tensors(Safetensors.read(SharedData.file("reference/tv_calibrated.safetensors"))));
        weights = dir.resolve("tv.safetensors");
        StateDicts.save(weights, tv, Preprocess.TORCHVISION);
    }

    /** Asserts that two rows of logits differ by far more than the comparisons' tolerances (1e-5). */
    private static void assertRowsDiffer(float[] a, float[] b) {
        float largest = 0, apart = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i]));
            apart = Math.max(apart, Math.abs(a[i] - b[i]));
        }
        assertTrue(apart > 1e-3f * largest && apart > 1e-3f, "two inputs' logits differ by " + apart + " of "
                + largest);
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void classifyReportsBadFilesAndClassifiesTheRest() throws IOException {
        Path images = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(SharedData.file("images/chelsea.png"), images.resolve("chelsea.png"));
        Files.copy(SharedData.file("images/rocket.jpg"), images.resolve("rocket.jpg"));
        Files.writeString(images.resolve("notes.jpg"), "not an image");
        Files.write(images.resolve("empty.png"), new byte[0]);
        CliRun r = run("classify", images.toString(), SharedData.file("images/truncated.jpg").toString(),
                "--model", weights.toString(), "--top", "3");
        assertEquals(1, r.code(), r.err());
        assertEquals(3, r.err().strip().lines().count(), r.err()); // notes.jpg, empty.png, truncated.jpg
        assertTrue(r.err().contains("empty.png: empty file"), r.err());
        assertTrue(r.err().contains("truncated.jpg: truncated JPEG"), r.err());
        assertTrue(r.out().contains("chelsea.png:") && r.out().contains("rocket.jpg:"), r.out());
        assertEquals(6, r.out().lines().filter(l -> l.startsWith("  ")).count(), r.out());
    }

    @Test
    void classifyJsonWithTenCrops() throws IOException {
        CliRun r = run("classify", SharedData.file("images/chelsea.png").toString(), "--model", weights.toString(),
                "--json", "--crops", "10", "--top", "2");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.core.JsonFactory().createParser(r.out());
        int probabilities = 0;
        while (json.nextToken() != null) {
            if ("probability".equals(json.currentName()) && json.currentToken().isNumeric()) {
                probabilities++;
            }
        }
        assertEquals(2, probabilities, r.out());
    }

    @Test
    void evalCountsTopOneAndTopFiveErrors() throws IOException {
        Path data = dir.resolve("labelled");
        Files.createDirectories(data.resolve("281"));
        Files.createDirectories(data.resolve("417"));
        Files.copy(SharedData.file("images/chelsea.png"), data.resolve("281/cat.png"));
        Files.copy(SharedData.file("images/rocket.jpg"), data.resolve("417/rocket.jpg"));
        CliRun r = run("eval", data.toString(), "--model", weights.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)2 images, 1 crop\\(s\\) each: top-1 error \\d+\\.\\d\\d%, top-5 error \\d+\\.\\d\\d%\n.*"),
                r.out());
        // then per-class recall and the confusion matrix over the folders' classes (and any other the model chose)
        assertTrue(r.out().contains("2 examples: top-1 ") && r.out().contains("  0 281 ")
                && r.out().contains("  1 417 "), r.out());
    }

    @Test
    void exportedModelsGiveTheSameLogits() throws IOException {
        Path onnx = dir.resolve("tv.onnx"), st = dir.resolve("tv-again.safetensors");
        CliRun r = run("export", "--model", weights.toString(), "--onnx", onnx.toString(), "--safetensors", st.toString());
        assertEquals(0, r.code(), r.err());
        // the class names the model was used with (ImageNet's, for these 1000-class weights) travel in the ONNX file
        List<String> names = OnnxImporter.importModel(onnx).classNames();
        assertEquals(ImageClassifier.imagenetLabels(), names);
        assertEquals("tench", names.getFirst());
        Tensor x = Tensor.zeros(2, 3, 64, 64);
        Random rnd = new Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rnd.nextFloat();
        }
        Path in = dir.resolve("x.safetensors");
        Safetensors.write(in, Map.of("input", x), Map.of());
        float[][] logits = new float[3][];
        Path[] models = {weights, onnx, st};
        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("logits" + i + ".safetensors");
            CliRun ri = run("run", "--model", models[i].toString(), "--input", in.toString(), "--output", out.toString());
            assertEquals(0, ri.code(), ri.err());
            logits[i] = Safetensors.read(out).tensor("logits").data();
        }
        assertArrayEquals(logits[0], logits[2], 0f);
        assertArrayEquals(logits[0], logits[1], 1e-5f); // BatchNorm folded into the ONNX convolutions
        // the model tells the two images apart, so a file computing something else from its input would fail
        assertRowsDiffer(java.util.Arrays.copyOfRange(logits[0], 0, 1000),
                java.util.Arrays.copyOfRange(logits[0], 1000, 2000));
    }

    @Test
    void fetchCachesAVerifiedModelAndFailsClearlyOffline() throws IOException {
        GoogLeNet paper = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optAuxHeads(false).build());
        Path zoo = dir.resolve("googlenet-12.onnx");
        OnnxExporter.export(paper, Preprocess.CAFFE, zoo, OnnxExporter.Options.zoo(12));
        Path cache = dir.resolve("cache");
        CliRun first = run("fetch", "--url", zoo.toUri().toString(), "--cache", cache.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("downloaded: ") && Files.isRegularFile(cache.resolve("googlenet-12.onnx")),
                first.out());
        CliRun second = run("fetch", "--url", zoo.toUri().toString(), "--cache", cache.toString());
        assertTrue(second.out().startsWith("cached: "), second.out());

        CliRun offline = run("fetch", "--url", "http://127.0.0.1:9/googlenet-12.onnx", "--cache",
                dir.resolve("empty-cache").toString(), "--timeout", "2");
        assertEquals(1, offline.code());
        assertTrue(offline.err().startsWith("googlenet fetch: could not download http://127.0.0.1:9/googlenet-12.onnx"),
                offline.err());
        assertTrue(offline.err().contains("--model FILE"), offline.err());
        assertEquals(0, Files.list(dir.resolve("empty-cache")).count(), "no partial file left behind");
    }

    @Test
    void truncatedOnnxModelIsOneClearError() throws IOException {
        byte[] full = Files.readAllBytes(SharedData.file("reference/paper_eval.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 3));
        CliRun r = run("classify", SharedData.file("images/chelsea.png").toString(), "--model", cut.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("googlenet classify: cut.onnx: "), r.err());
    }

    @Test
    void classifyWorksOnTheWeightsTrainingWrites() throws IOException {
        GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optSmallInput(true)
                .optWidth(0.25f).optInputChannels(1).optNumClasses(3).build();
        GoogLeNet small = new GoogLeNet(config);
        Preprocess gray = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, new float[] {0.3f, 0.3f, 0.3f},
                new float[] {0.35f, 0.35f, 0.35f}, 28, 28);
        Path file = dir.resolve("weights-epoch001.safetensors");
        StateDicts.save(file, small, dev.googlenet.train.Checkpoints.weightsMetadata(config,
                java.util.List.of("shirt", "sneaker", "bag"), gray, "raw", 1));
        CliRun r = run("classify", SharedData.file("images/chelsea.png").toString(), "--model", file.toString(),
                "--top", "3");
        assertEquals(0, r.code(), r.err());
        for (String label : new String[] {"shirt", "sneaker", "bag"}) {
            assertTrue(r.out().contains(label), r.out());
        }
    }

    /** A small-input model with its own classes, exported to safetensors, loads back as itself: names and all. */
    @Test
    void exportedSafetensorsKeepConfigurationAndClassNames() throws IOException {
        // the paper variant: the torchvision one, freshly initialized, gives both images the same logits (to the
        // last bit), so the comparison below would check the classifier's bias only
        GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.PAPER).optSmallInput(true)
                .optWidth(0.25f).optInputChannels(1).optNumClasses(3).build();
        Preprocess gray = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, new float[] {0.3f, 0.3f, 0.3f},
                new float[] {0.35f, 0.35f, 0.35f}, 28, 28);
        Path trained = dir.resolve("weights-epoch002.safetensors"), exported = dir.resolve("small.safetensors");
        StateDicts.save(trained, new GoogLeNet(config), Checkpoints.weightsMetadata(config,
                List.of("shirt", "sneaker", "bag"), gray, "raw", 2));
        CliRun r = run("export", "--model", trained.toString(), "--safetensors", exported.toString());
        assertEquals(0, r.code(), r.err());
        LoadedModel a = Models.load(trained);
        LoadedModel b = Models.load(exported);
        assertEquals(List.of("shirt", "sneaker", "bag"), b.classNames());
        assertEquals(a.googLeNet().orElseThrow().config(), b.googLeNet().orElseThrow().config());
        assertEquals(a.preprocess(), b.preprocess());
        Tensor x = Tensor.zeros(2, 1, 28, 28);
        Random rnd = new Random(4);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rnd.nextFloat();
        }
        float[] want = a.logits(x).data();
        assertArrayEquals(want, b.logits(x).data());
        assertRowsDiffer(java.util.Arrays.copyOf(want, 3), java.util.Arrays.copyOfRange(want, 3, 6));
    }
}
