package dev.googlenet.spark;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.ImageClassifier.Prediction;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoogLeNetTransformerTest {
    private static final List<String> CLASSES = List.of("red", "green", "blue", "gray", "other");
    private static final Preprocess SMALL = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 36, 32);

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path modelFile;
    static Path images;
    static LoadedModel library;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("GoogLeNetTransformerTest");
        // the paper variant: the torchvision one at this width, freshly initialized, gives every image the same
        // logits in eval mode, and rows scored with another row's image would pass
        GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(5)
                .optSmallInput(true).optWidth(1 / 8f).optSeed(3).build();
        modelFile = dir.resolve("tiny.safetensors");
        StateDicts.save(modelFile, new GoogLeNet(config), Checkpoints.weightsMetadata(config, CLASSES, SMALL, "raw", 1));
        library = Models.load(modelFile);
        images = Files.createDirectory(dir.resolve("images"));
        Random rnd = new Random(11);
        for (int i = 0; i < 7; i++) { // sizes vary: the crop makes them one size
            writePng(images.resolve("img" + i + ".png"), 30 + 5 * i, 40 - 2 * i, rnd);
        }
        float p0 = library.classify(images.resolve("img0.png"), 1).getFirst().probability();
        float p1 = library.classify(images.resolve("img1.png"), 1).getFirst().probability();
        assertTrue(Math.abs(p0 - p1) > 1e-4f, "the model tells the images apart: " + p0 + " vs " + p1);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static void writePng(Path file, int w, int h, Random rnd) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static Dataset<Row> binaryFiles(Path folder) {
        return spark.read().format("binaryFile").load(folder.toString()).repartition(2);
    }

    private static Map<Path, Row> byFile(Dataset<Row> scored) {
        Map<Path, Row> out = new HashMap<>();
        for (Row r : scored.collectAsList()) {
            out.put(Path.of(URI.create(r.getAs("path"))), r);
        }
        return out;
    }

    private static void assertSameAsLibrary(Path file, Row row, int topK) throws IOException {
        List<Prediction> expected = library.classify(file, topK);
        assertNull(row.getAs(GoogLeNetTransformer.ERROR), file + "");
        List<Integer> classes = row.getList(row.fieldIndex(GoogLeNetTransformer.CLASSES));
        List<String> labels = row.getList(row.fieldIndex(GoogLeNetTransformer.LABELS));
        List<Float> probs = row.getList(row.fieldIndex(GoogLeNetTransformer.PROBABILITIES));
        assertEquals(topK, classes.size());
        for (int k = 0; k < topK; k++) {
            assertEquals(expected.get(k).index(), classes.get(k), file + " rank " + k);
            assertEquals(expected.get(k).label(), labels.get(k), file + " rank " + k);
            assertEquals(expected.get(k).probability(), probs.get(k), 1e-6f, file + " rank " + k);
        }
    }

    @Test
    void resultsEqualTheLibrarysClassifyOnTheSameFiles() throws IOException {
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(modelFile.toString()).setTopK(3)
                .setBatchSize(3);
        Map<Path, Row> rows = byFile(t.transform(binaryFiles(images)));
        assertEquals(7, rows.size());
        for (Map.Entry<Path, Row> e : rows.entrySet()) {
            assertSameAsLibrary(e.getKey(), e.getValue(), 3);
        }
    }

    @Test
    void aCorruptFileGivesAnErrorRowAndTheOthersAreScored() throws IOException {
        Path mixed = Files.createDirectory(dir.resolve("mixed"));
        Files.copy(images.resolve("img0.png"), mixed.resolve("good.png"));
        Files.writeString(mixed.resolve("broken.png"), "this is not an image");
        byte[] png = Files.readAllBytes(images.resolve("img1.png"));
        Files.write(mixed.resolve("truncated.png"), java.util.Arrays.copyOf(png, 40));
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(modelFile.toString()).setTopK(2);
        Map<Path, Row> rows = byFile(t.transform(binaryFiles(mixed)));
        assertEquals(3, rows.size());
        assertSameAsLibrary(mixed.resolve("good.png"), rows.get(mixed.resolve("good.png")), 2);
        for (String bad : List.of("broken.png", "truncated.png")) {
            Row r = rows.get(mixed.resolve(bad));
            String error = r.getAs(GoogLeNetTransformer.ERROR);
            assertNotNull(error, bad);
            assertTrue(error.contains(bad), error);
            assertNull(r.getAs(GoogLeNetTransformer.CLASSES));
            assertNull(r.getAs(GoogLeNetTransformer.LABELS));
            assertNull(r.getAs(GoogLeNetTransformer.PROBABILITIES));
        }
        assertTrue(rows.get(mixed.resolve("broken.png")).<String>getAs(GoogLeNetTransformer.ERROR)
                .contains("not a PNG or JPEG"));
    }

    @Test
    void theEmbeddingIsTheModelsPooledFeatures() throws IOException {
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(modelFile.toString()).setTopK(5)
                .setEmbeddingCol("embedding");
        Map<Path, Row> rows = byFile(t.transform(binaryFiles(images)));
        for (Map.Entry<Path, Row> e : rows.entrySet()) {
            Tensor features = library.features(library.input(List.of(dev.googlenet.data.ImageDecoder.decode(e.getKey()))));
            Vector v = e.getValue().getAs("embedding");
            assertEquals(features.dim(1), v.size());
            for (int k = 0; k < v.size(); k++) {
                assertEquals(features.data()[k], v.apply(k), 1e-5 * (1 + Math.abs(features.data()[k])));
            }
            assertSameAsLibrary(e.getKey(), e.getValue(), 5); // logits from the features give the same classes
        }
    }

    @Test
    void aColumnOfPathsWorksLikeBinaryFiles() throws IOException {
        List<Row> paths = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            paths.add(org.apache.spark.sql.RowFactory.create(images.resolve("img" + i + ".png").toString()));
        }
        paths.add(org.apache.spark.sql.RowFactory.create(dir.resolve("missing.png").toString()));
        Dataset<Row> df = spark.createDataFrame(paths, new org.apache.spark.sql.types.StructType()
                .add("file", org.apache.spark.sql.types.DataTypes.StringType)).repartition(2);
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(modelFile.toString()).setInputCol("file")
                .setTopK(2);
        for (Row r : t.transform(df).collectAsList()) {
            Path file = Path.of(r.<String>getAs("file"));
            if (file.getFileName().toString().equals("missing.png")) {
                assertTrue(r.<String>getAs(GoogLeNetTransformer.ERROR).contains("missing.png"), r + "");
            } else {
                assertSameAsLibrary(file, r, 2);
            }
        }
    }

    @Test
    void theModelIsShippedOnceWhileItsFileIsUnchanged() throws IOException {
        Path copy = Files.copy(modelFile, dir.resolve("shipped.safetensors"));
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(copy.toString()).setTopK(1);
        assertEquals(-1, t.shippedId());
        Dataset<Row> df = binaryFiles(images);
        List<Row> first = t.transform(df).select("path", GoogLeNetTransformer.CLASSES).sort("path").collectAsList();
        long id = t.shippedId();
        List<Row> again = t.transform(df).select("path", GoogLeNetTransformer.CLASSES).sort("path").collectAsList();
        assertEquals(id, t.shippedId());
        assertEquals(first, again);
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(copy).toMillis() + 60_000)); // the file changed: ship it again
        t.transform(df);
        assertTrue(t.shippedId() > id, "a changed file is shipped again");
    }

    @Test
    void savesAndLoadsWithSparkMlsWriter() throws IOException {
        GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(modelFile.toString()).setTopK(4)
                .setBatchSize(5).setEmbeddingCol("emb");
        String saved = dir.resolve("stage").toString();
        t.write().overwrite().save(saved);
        GoogLeNetTransformer back = GoogLeNetTransformer.load(saved);
        assertEquals(t.uid(), back.uid());
        assertEquals(modelFile.toString(), back.getOrDefault(back.modelPath()));
        assertEquals(4, back.getOrDefault(back.topK()));
        assertEquals(5, back.getOrDefault(back.batchSize()));
        assertEquals("emb", back.getOrDefault(back.embeddingCol()));
        Map<Path, Row> before = byFile(t.transform(binaryFiles(images)));
        Map<Path, Row> after = byFile(back.transform(binaryFiles(images)));
        for (Path file : before.keySet()) {
            assertEquals(before.get(file).getList(before.get(file).fieldIndex("classes")),
                    after.get(file).getList(after.get(file).fieldIndex("classes")));
            assertArrayEquals(before.get(file).<Vector>getAs("emb").toArray(),
                    after.get(file).<Vector>getAs("emb").toArray());
        }
    }

    @Test
    void theCommandLineWritesParquetAndRefusesToOverwrite() throws IOException {
        Path out = dir.resolve("labels.parquet");
        // inside this JVM's session: the command uses it and leaves it running
        assertEquals(0, SparkMain.execute("classify", images.toString(), "--model", modelFile.toString(), "--out",
                out.toString(), "--top", "2"));
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(7, rows.size());
        assertEquals(List.of("path", "classes", "labels", "probabilities", "error"),
                List.of(rows.getFirst().schema().fieldNames()));
        for (Row r : rows) {
            assertSameAsLibrary(Path.of(URI.create(r.getAs("path"))), r, 2);
        }
        assertEquals(0, SparkMain.execute("embed", images.toString(), "--model", modelFile.toString(), "--out",
                dir.resolve("emb.parquet").toString()));
        Row e = spark.read().parquet(dir.resolve("emb.parquet").toString()).first();
        assertEquals(library.googLeNet().orElseThrow().config().scaled(1024), e.<Vector>getAs("embedding").size());
        // an existing output is refused (exit code 1, one line on stderr), not overwritten
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(1, SparkMain.execute("classify", images.toString(), "--model", modelFile.toString(),
                    "--out", out.toString()));
        } finally {
            System.setErr(stderr);
        }
        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        // the command line's one-line messages (shared ErrorMessages): no class names, no stack trace
        assertTrue(message.startsWith("googlenet spark classify: ") && message.contains(out.getFileName().toString())
                && !message.contains("Exception") && message.lines().count() == 1, message);
        assertFalse(spark.sparkContext().isStopped(), "the caller's session is still running");
    }

    @Test
    void badSettingsAreOneClearError() {
        Dataset<Row> df = binaryFiles(images);
        IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
                () -> new GoogLeNetTransformer().transform(df));
        assertEquals("GoogLeNetTransformer: no modelPath set", noModel.getMessage());
        IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class,
                () -> new GoogLeNetTransformer().setModelPath(modelFile.toString()).setInputCol("pixels").transform(df));
        assertTrue(noColumn.getMessage().startsWith("GoogLeNetTransformer: no input column 'pixels' in "),
                noColumn.getMessage());
        java.io.UncheckedIOException missing = assertThrows(java.io.UncheckedIOException.class,
                () -> new GoogLeNetTransformer().setModelPath(dir.resolve("nope.onnx").toString()).transform(df));
        assertEquals(dir.resolve("nope.onnx") + ": no such model file", missing.getMessage());
    }
}
