package dev.googlenet.spark;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.ImageTensors;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code googlenet spark train DATA --out DIR}: data-parallel training of a small-input GoogLeNet on an image
 * folder with one subfolder per class (any Hadoop path). The images are decoded and prepared on the executors and
 * kept in their memory; each partition is one worker. Checkpoints go to DIR every epoch; {@code --resume} goes on
 * from the last one.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Data-parallel synchronous SGD on an image folder (one subfolder per class).")
final class SparkTrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DATA", description = "folder of class subfolders of images")
    String data;

    @Option(names = "--out", required = true, description = "checkpoint folder, any Hadoop path")
    String out;

    @Option(names = "--resume", description = "go on from the last checkpoint in --out")
    boolean resume;

    @Option(names = "--epochs", defaultValue = "10")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "global batch, split evenly over the partitions")
    int batch;

    @Option(names = "--partitions", defaultValue = "2", description = "workers (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--lr", defaultValue = "0.05")
    float lr;

    @Option(names = "--momentum", defaultValue = "0.9")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "5e-4")
    float weightDecay;

    @Option(names = "--size", defaultValue = "32", description = "images are resized and cropped to SIZE×SIZE")
    int size;

    @Option(names = "--width", defaultValue = "0.25", description = "width multiplier of the small-input GoogLeNet")
    float width;

    @Option(names = "--variant", defaultValue = "torchvision", description = "torchvision (BatchNorm) or paper")
    String variant;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Mixin
    SessionOptions session;

    @Override
    public Integer call() throws IOException {
        SparkSession spark = session.start("googlenet train");
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(data)
                    .select(col("path")).collectAsList();
            List<String> classes = files.stream().map(r -> classOf(r.getString(0))).distinct().sorted().toList();
            if (classes.size() < 2) {
                throw new IOException(data + ": found " + classes.size() + " class folders; training needs at least "
                        + "2 (DATA/CLASS/image files)");
            }
            Preprocess preprocess = preprocess(size);
            JavaRDD<Sample> samples = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .load(data).select(col("path"), col("content")).javaRDD()
                    .map(new Prepare(classes, size))
                    .repartition(partitions);
            GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                    .optNumClasses(classes.size()).optSmallInput(true).optWidth(width).optAuxHeads(false)
                    .optSeed(seed).build();
            TrainSettings settings = new TrainSettings(batch, epochs, lr, momentum, weightDecay, true, 0f, seed);
            DataParallelTrainer trainer = new DataParallelTrainer(sc, config, settings, out, classes, preprocess)
                    .onProgress(System.out::println);
            trainer.fit(samples, resume);
            List<StepTimes> times = trainer.stepTimes();
            if (!times.isEmpty()) {
                // the first step pays for starting the executors' models and JIT: leave it out of the means
                List<StepTimes> steady = times.size() > 1 ? times.subList(1, times.size()) : times;
                System.out.printf(Locale.ROOT, "step (mean of %d): %.1f ms = ship weights %.1f + compute %.1f "
                                + "+ aggregate %.1f + update %.1f%n", steady.size(),
                        mean(steady, StepTimes::total), mean(steady, StepTimes::ship),
                        mean(steady, StepTimes::compute), mean(steady, StepTimes::aggregate),
                        mean(steady, StepTimes::update));
            }
            return 0;
        } finally {
            spark.stop();
        }
    }

    private static double mean(List<StepTimes> times, java.util.function.ToLongFunction<StepTimes> part) {
        return times.stream().mapToLong(part).average().orElse(0) / 1e6;
    }

    /** The class of {@code DATA/CLASS/file}: its parent folder's name. */
    static String classOf(String path) {
        String[] parts = path.split("/");
        if (parts.length < 2) {
            throw new IllegalArgumentException(path + ": not in a class folder");
        }
        return parts[parts.length - 2];
    }

    /** torchvision's normalization, resized and cropped to {@code size}. */
    static Preprocess preprocess(int size) {
        return new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, Preprocess.TORCHVISION.mean(),
                Preprocess.TORCHVISION.std(), size, size);
    }

    /** On the executors: a file's row to a sample (Preprocess is not Serializable, so it is made there). */
    private record Prepare(List<String> classes, int size) implements Function<Row, Sample> {
        @Override
        public Sample call(Row row) {
            String path = row.getString(0);
            Preprocess p = preprocess(size);
            try {
                RgbImage crop = Tta.crops(ImageDecoder.decode((byte[]) row.get(1), path), p, Tta.Mode.CENTER)
                        .getFirst();
                return new Sample(ImageTensors.toTensor(crop, p).data(), classes.indexOf(classOf(path)));
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
