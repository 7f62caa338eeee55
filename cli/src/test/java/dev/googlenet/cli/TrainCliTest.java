package dev.googlenet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.train.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train / eval / summary end to end on a tiny fake Fashion-MNIST (8×8 images, gzipped IDX files). */
class TrainCliTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void writeTinyIdxDataset() throws IOException {
        data = writeTinyIdx(dir.resolve("fake-fashion"));
    }

    /** A fake Fashion-MNIST of 8×8 images in {@code folder}: 60 training and 20 test examples. */
    static Path writeTinyIdx(Path folder) throws IOException {
        Files.createDirectories(folder);
        writePart(folder, "train", 60, 1);
        writePart(folder, "t10k", 20, 2);
        return folder;
    }

    private static void writePart(Path data, String prefix, int n, long seed) throws IOException {
        Random r = new Random(seed);
        ByteBuffer images = ByteBuffer.allocate(16 + n * 64).putInt(0x00000803).putInt(n).putInt(8).putInt(8);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) {
            int label = i % 10;
            for (int p = 0; p < 64; p++) {
                images.put((byte) (p == label * 6 ? 255 : r.nextInt(40)));
            }
            labels.put((byte) label);
        }
        gz(data.resolve(prefix + "-images-idx3-ubyte.gz"), images.array());
        gz(data.resolve(prefix + "-labels-idx1-ubyte.gz"), labels.array());
    }

    private static void gz(Path file, byte[] bytes) throws IOException {
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void trainResumeAndEvaluate() throws IOException {
        Path runFolder = dir.resolve("run");
        CliRun r = run("train", "fashion-mnist", "--data", data.toString(), "--out", runFolder.toString(),
                "--epochs", "1", "--batch", "8", "--width", "0.0625", "--val-fraction", "0.2", "--no-progress",
                "--lr", "0.05", "--label-smoothing", "0.1", "--schedule", "onecycle", "--ema", "0.9");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("data: fashion-mnist train: 48 training examples, 12 for validation"), r.out());
        assertTrue(r.out().contains("model: torchvision, small-input stem, width 0.0625, 1 input channel(s)"), r.out());
        assertTrue(r.out().contains("epoch 1: loss "), r.out());
        for (String f : List.of("checkpoint.json", "metrics.csv", "metrics.json", "curves.png",
                "weights-epoch001.safetensors", "ema-epoch001.safetensors", "optimizer-epoch001.safetensors")) {
            assertTrue(Files.isRegularFile(runFolder.resolve(f)), f);
        }
        assertEquals(2, Files.readAllLines(runFolder.resolve("metrics.csv")).size());

        CliRun again = run("train", "--data", data.toString(), "--out", runFolder.toString(), "--no-progress");
        assertEquals(1, again.code());
        assertEquals("googlenet train: " + runFolder + " already holds a run: pass --resume to continue it, or "
                + "another --out", again.err().strip());

        CliRun resumed = run("train", "--resume", "--out", runFolder.toString(), "--epochs", "2", "--no-progress");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertTrue(resumed.out().contains("resuming " + runFolder + " after epoch 1 of 2"), resumed.out());
        JsonNode ck = Checkpoints.readCheckpoint(runFolder);
        assertEquals(2, ck.get("epoch").asInt());
        assertEquals(0.1, ck.get("training").get("label_smoothing").asDouble(), 1e-6);
        assertEquals(3, Files.readAllLines(runFolder.resolve("metrics.csv")).size());

        CliRun eval = run("eval", "--checkpoint", runFolder.toString());
        assertEquals(0, eval.code(), eval.err() + eval.out());
        assertTrue(eval.out().contains("(ema weights, epoch 2) on fashion-mnist test"), eval.out());
        assertTrue(eval.out().contains("20 examples: top-1 "), eval.out());
        assertTrue(eval.out().contains("confusion matrix (rows: true class, columns: predicted class)"), eval.out());
        assertTrue(eval.out().contains("9 Ankle boot"), eval.out());

        CliRun val = run("eval", "--checkpoint", runFolder.resolve("weights-epoch002.safetensors").toString(),
                "--dataset", "fashion-mnist", "--data", data.toString(), "--split", "train", "--raw");
        assertEquals(0, val.code(), val.err() + val.out());
        assertTrue(val.out().contains("(raw weights, epoch 2) on fashion-mnist train"), val.out());
        assertTrue(val.out().contains("60 examples: top-1 "), val.out());
    }

    @Test
    void trainsOnAnImageFolderWithThePapersAugmentation() throws IOException {
        Path folder = dir.resolve("folder");
        Random r = new Random(3);
        for (String cls : List.of("red", "blue")) {
            Files.createDirectories(folder.resolve(cls));
            for (int i = 0; i < 6; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(14 + i, 12,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 12; y++) {
                    for (int x = 0; x < 14 + i; x++) {
                        int v = r.nextInt(60);
                        img.setRGB(x, y, cls.equals("red") ? (200 + v) << 16 | v : v << 16 | 200 + v);
                    }
                }
                javax.imageio.ImageIO.write(img, "png", folder.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        Path runFolder = dir.resolve("folder-run");
        CliRun res = run("train", folder.toString(), "--out", runFolder.toString(), "--size", "8", "--epochs", "1",
                "--batch", "4", "--width", "0.0625", "--val-fraction", "0.25", "--no-progress", "--no-plot");
        assertEquals(0, res.code(), res.err() + res.out());
        assertTrue(res.out().contains("9 training examples, 3 for validation, augmentation rsc,flip,photometric"),
                res.out());
        assertTrue(res.out().contains("small-input stem, width 0.0625, 3 input channel(s)"), res.out());
        CliRun eval = run("eval", "--checkpoint", runFolder.toString());
        assertEquals(0, eval.code(), eval.err() + eval.out());
        // the run's own folder: its held-out split, never the images it trained on
        assertTrue(eval.out().contains("the run's held-out split (25% of the folder, seed 0), never trained on, 3 "
                + "images"), eval.out());
        assertTrue(eval.out().contains("3 examples: top-1 ") && eval.out().contains("0 blue"), eval.out());

        // the run folder is a model for classify too, its class names with it
        CliRun classify = run("classify", folder.resolve("red/0.png").toString(), "--model", runFolder.toString(),
                "--top", "2");
        assertEquals(0, classify.code(), classify.err());
        List<String> ranked = classify.out().lines().filter(l -> l.matches("  [12]\\. .*"))
                .map(l -> l.substring(5).strip().split("\\s+")[0]).sorted().toList();
        assertEquals(List.of("blue", "red"), ranked, classify.out());
    }

    @Test
    void missingDataIsOneClearError() {
        Path nowhere = dir.resolve("nowhere");
        CliRun r = run("train", "fashion-mnist", "--data", nowhere.toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("googlenet train: " + nowhere + ": not a fashion-mnist folder (needs train-images-idx3-ubyte, "
                + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz)",
                r.err().strip());
        CliRun bad = run("train", "fashion-mnist", "--data", data.toString(), "--schedule", "linear");
        assertEquals(1, bad.code());
        assertEquals("googlenet train: unknown schedule 'linear': use paper, step, cosine, onecycle, constant",
                bad.err().strip());
        CliRun noRun = run("eval", "--checkpoint", dir.resolve("none").toString());
        assertEquals(1, noRun.code());
        assertTrue(noRun.err().startsWith("googlenet eval: "), noRun.err());
    }

    @Test
    void summaryShowsTheSmallInputNetwork() {
        CliRun r = run("summary", "--small-input", "--width", "0.5", "--channels", "1", "--classes", "10",
                "--variant", "torchvision");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GoogLeNet (torchvision) at 28×28, 10 classes, small-input stem, width 0.5, "
                + "1 input channel"), r.out());
        assertTrue(r.out().contains("14×14×128") && r.out().contains("7×7×256") && r.out().contains("4×4×512"),
                r.out());
        assertTrue(r.out().contains("total (without aux heads): 1,406,682 parameters"), r.out());
    }
}
