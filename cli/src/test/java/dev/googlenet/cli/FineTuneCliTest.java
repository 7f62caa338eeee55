package dev.googlenet.cli;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --init / --freeze on an image folder, then export, classify, eval and embed with what it wrote. */
class FineTuneCliTest {
    @TempDir
    Path dir;

    /** cat/ and coffee/ with three photos each, and a truncated JPEG among the cats. */
    private Path photos() throws IOException {
        Path folder = dir.resolve("photos");
        Path images = SharedData.root().resolve("images");
        for (String[] c : List.of(new String[] {"cat", "chelsea.png", "astronaut.png", "camera.png"},
                new String[] {"coffee", "coffee.png", "rocket.jpg", "motorcycle_left.png"})) {
            Files.createDirectories(folder.resolve(c[0]));
            for (int i = 1; i < c.length; i++) {
                Files.copy(images.resolve(c[i]), folder.resolve(c[0]).resolve(c[i]));
            }
        }
        Files.copy(images.resolve("truncated.jpg"), folder.resolve("cat/truncated.jpg"));
        return folder;
    }

    @Test
    void fineTunesAPretrainedOnnxModelOnClassFoldersAndTheClassNamesTravelOn() throws IOException {
        Path folder = photos();
        Path run = dir.resolve("run");
        String onnx = SharedData.file("reference/tv_eval.onnx").toString();
        CliRun train = CliRun.of("train", folder.toString(), "--init", onnx, "--freeze", "backbone", "--no-aux",
                "--augment", "none", "--epochs", "2", "--batch", "2", "--lr", "0.05", "--val-fraction", "0", "--ema",
                "0", "--out", run.toString(), "--no-progress", "--no-plot");
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains("init: tv_eval.onnx (GoogLeNet, torchvision); new classifier for 2 classes "
                + "[cat, coffee], aux heads off"), train.out());
        assertTrue(train.out().contains("training the classifier on cached features"), train.out());
        assertTrue(train.out().contains("skipped 1 unreadable file(s)"), train.out());
        List<String> skipped = Files.readAllLines(run.resolve(TrainCommand.SKIPPED));
        assertEquals(2, skipped.size(), skipped.toString());
        assertTrue(skipped.get(1).startsWith(folder.resolve("cat/truncated.jpg") + "\t"), skipped.get(1));

        // resuming continues with the source model's pipeline and the same frozen backbone
        CliRun resumed = CliRun.of("train", "--resume", "--out", run.toString(), "--epochs", "3", "--no-progress",
                "--no-plot");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertTrue(resumed.out().contains("resuming " + run + " after epoch 2 of 3"), resumed.out());
        assertTrue(resumed.out().contains("training the classifier on cached features"), resumed.out());
        assertEquals(onnx, dev.googlenet.train.Checkpoints.readCheckpoint(run).path("data").path("init").asText());

        // the run → ONNX → classify: the folder's class names all the way
        Path exported = dir.resolve("tuned.onnx");
        CliRun export = CliRun.of("export", "--model", run.toString(), "--onnx", exported.toString());
        assertEquals(0, export.code(), export.err() + export.out());
        LoadedModel tuned = Models.load(exported);
        assertEquals(List.of("cat", "coffee"), tuned.classNames());
        CliRun classify = CliRun.of("classify", folder.resolve("cat/chelsea.png").toString(), "--model",
                exported.toString(), "--top", "2");
        assertEquals(0, classify.code(), classify.err());
        assertTrue(classify.out().contains(" cat ") && classify.out().contains(" coffee "), classify.out());

        // eval DIR with class-name folders, mapped through the model's names; unreadable files skipped
        Path png = dir.resolve("confusion.png");
        CliRun eval = CliRun.of("eval", folder.toString(), "--model", exported.toString(), "--confusion-png",
                png.toString());
        assertEquals(1, eval.code(), "a skipped file makes the exit code 1: " + eval.err());
        assertTrue(eval.err().contains("skipped " + folder.resolve("cat/truncated.jpg")), eval.err());
        assertTrue(eval.out().contains("6 images, 1 crop(s) each: top-1 error"), eval.out());
        assertTrue(eval.out().contains("confusion matrix (rows: true class, columns: predicted class)")
                && eval.out().contains("recall") && eval.out().contains("  1 coffee"), eval.out());
        assertTrue(Files.size(png) > 1000 && javax.imageio.ImageIO.read(png.toFile()).getWidth() > 100);

        // the backbone was frozen: the features are the source model's
        LoadedModel source = Models.load(Path.of(onnx));
        Tensor input = source.input(List.of(ImageDecoder.decode(folder.resolve("coffee/coffee.png"))));
        float[] before = source.features(input).data(), after = tuned.features(input).data();
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < before.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(before[i] - after[i]));
            maxAbs = Math.max(maxAbs, Math.abs(before[i]));
        }
        assertTrue(maxDiff <= 1e-4 * maxAbs, "features moved: " + maxDiff + " of " + maxAbs);

        // embed: one vector per readable image, and its index
        Path out = dir.resolve("emb.safetensors");
        CliRun embed = CliRun.of("embed", folder.resolve("cat").toString(), folder.resolve("coffee/coffee.png")
                .toString(), "--model", exported.toString(), "--out", out.toString());
        assertEquals(1, embed.code(), "the truncated file is reported: " + embed.err());
        SafetensorsFile st = Safetensors.read(out);
        Tensor vectors = st.tensor("embeddings");
        assertArrayEquals(new int[] {4, 1024}, vectors.shape());
        List<String> index = Files.readAllLines(dir.resolve("emb.csv"));
        assertEquals(List.of("row,file", "0," + folder.resolve("cat/astronaut.png"),
                "1," + folder.resolve("cat/camera.png"), "2," + folder.resolve("cat/chelsea.png"),
                "3," + folder.resolve("coffee/coffee.png")), index);
        float[] row3 = java.util.Arrays.copyOfRange(vectors.data(), 3 * 1024, 4 * 1024);
        // embed ran 4 images as one batch, `after` one image alone: equal to float rounding, not bit for bit
        // (one image takes Winograd F(2×2) on 14×14 maps, a batch F(4×4))
        assertArrayEquals(after, row3, (float) (1e-6 * maxAbs), "the embedding is the model's pooled features");
        assertEquals("pool5", st.metadata().get("googlenet.layer"));

        CliRun layer = CliRun.of("embed", folder.resolve("coffee").toString(), "--model", exported.toString(),
                "--layer", "inception4e", "--crops", "10", "--out", dir.resolve("e4.safetensors").toString());
        assertEquals(0, layer.code(), layer.err());
        assertArrayEquals(new int[] {3, 832}, Safetensors.read(dir.resolve("e4.safetensors")).tensor("embeddings")
                .shape());
    }

    @Test
    void badDataAndBadOptionsAreOneClearLine() throws IOException {
        Path one = dir.resolve("one");
        Files.createDirectories(one.resolve("cat"));
        Files.copy(SharedData.file("images/chelsea.png"), one.resolve("cat/chelsea.png"));
        CliRun r = CliRun.of("train", one.toString(), "--out", dir.resolve("r1").toString(), "--no-progress");
        assertEquals(1, r.code());
        assertEquals("googlenet train: " + one + ": 1 class folder ('cat'); a classifier needs at least 2 (one "
                + "sub-folder of images per class)", r.err().strip());

        Files.createDirectories(one.resolve("dog"));
        Files.copy(SharedData.file("images/truncated.jpg"), one.resolve("dog/broken.jpg"));
        r = CliRun.of("train", one.toString(), "--out", dir.resolve("r2").toString(), "--no-progress");
        assertEquals(1, r.code());
        assertTrue(r.err().strip().matches("googlenet train: .*dog: none of the images of class 'dog' can be read "
                + "\\(broken.jpg: .*\\)"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        Files.copy(SharedData.file("images/coffee.png"), one.resolve("dog/coffee.png"));
        r = CliRun.of("train", one.toString(), "--init", SharedData.file("reference/tv_eval.onnx").toString(),
                "--freeze", "inception9z", "--out", dir.resolve("r3").toString(), "--no-progress");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("googlenet train: cannot freeze through 'inception9z': freeze one of [conv1, "),
                r.err());

        // eval: folders that are none of the model's classes
        CliRun e = CliRun.of("eval", one.toString(), "--model", SharedData.file("reference/tv_eval.onnx").toString());
        assertEquals(1, e.code());
        assertEquals("googlenet eval: " + one + ": 2 class folder(s) match none of the model's 1000 class names: [cat, dog]"
                        + " (the model's classes: [tench, goldfish, great white shark, tiger shark, hammerhead, "
                        + "electric ray, stingray, cock, hen, ostrich] …; folders may also be class indices)",
                e.err().strip());
    }
}
