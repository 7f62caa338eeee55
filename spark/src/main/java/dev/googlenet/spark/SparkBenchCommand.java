package dev.googlenet.spark;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.kernels.Engine;
import dev.googlenet.kernels.EngineOptions;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code googlenet spark bench}: the numbers behind the README's scaling section. {@code inference}: top-5 of every
 * image under PATH, through the library alone ({@code --library}) or through the transformer on Spark, timed after
 * a warm-up pass. {@code train}: data-parallel steps of the full-size GoogLeNet on synthetic 224×224 images, each
 * step's time split into shipping the weights, computing, aggregating and updating.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure batch inference or training steps.",
        subcommands = {SparkBenchCommand.Inference.class, SparkBenchCommand.Train.class})
final class SparkBenchCommand {

    @Command(name = "inference", mixinStandardHelpOptions = true,
            description = "Images/s of top-5 classification: the library alone, or the transformer on Spark.")
    static final class Inference implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "a folder of images")
        Path dir;

        @Option(names = "--model", required = true)
        Path model;

        @Option(names = "--library", description = "the library alone (LoadedModel.classify), no Spark")
        boolean library;

        @Option(names = "--repeat", defaultValue = "3")
        int repeat;

        @Mixin
        SessionOptions session;

        @Override
        public Integer call() throws IOException {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            if (library) {
                Engine.configure(EngineOptions.fromSystemProperties().withThreads(session.threads != null
                        ? session.threads : Runtime.getRuntime().availableProcessors()));
                LoadedModel m = Models.load(model).inferenceOnly();
                List<Path> readable = new ArrayList<>();
                for (Path f : files) { // the library stops at a bad file; Spark gives it an error row
                    try {
                        m.classify(f, 5);
                        readable.add(f);
                    } catch (IOException e) {
                        System.out.println("skipped " + f.getFileName() + ": " + e.getMessage());
                    }
                }
                for (int r = 0; r < repeat; r++) {
                    long t = System.nanoTime();
                    m.classify(readable, 5);
                    report("library", readable.size(), System.nanoTime() - t);
                }
                return 0;
            }
            SparkSession spark = session.start("googlenet bench inference");
            try {
                TaskTime tasks = new TaskTime();
                spark.sparkContext().addSparkListener(tasks);
                Dataset<Row> df = spark.read().format("binaryFile").load(dir.toString());
                GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(model.toString()).setTopK(5);
                t.transform(df).select(GoogLeNetTransformer.LABELS).collectAsList(); // warm-up: load, JIT
                for (int r = 0; r < repeat; r++) {
                    tasks.reset();
                    long start = System.nanoTime();
                    int n = t.transform(df).select(GoogLeNetTransformer.LABELS).collectAsList().size();
                    report("spark " + spark.sparkContext().master(), n, System.nanoTime() - start);
                    System.out.printf(Locale.ROOT, "tasks: %d, run time %.2f s, cpu %.2f s (summed over tasks)%n",
                            tasks.count.get(), tasks.runMillis.get() / 1e3, tasks.cpuNanos.get() / 1e9);
                }
            } finally {
                spark.stop();
            }
            return 0;
        }

        private static void report(String what, int images, long nanos) {
            System.out.printf(Locale.ROOT, "RESULT %s images=%d seconds=%.2f images_per_s=%.2f%n", what, images,
                    nanos / 1e9, images / (nanos / 1e9));
        }
    }

    /** Sums the executors' run and CPU time of finished tasks: where a Spark job's wall time went. */
    static final class TaskTime extends SparkListener {
        final AtomicLong count = new AtomicLong();
        final AtomicLong runMillis = new AtomicLong();
        final AtomicLong cpuNanos = new AtomicLong();

        void reset() {
            count.set(0);
            runMillis.set(0);
            cpuNanos.set(0);
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                count.incrementAndGet();
                runMillis.addAndGet(end.taskMetrics().executorRunTime());
                cpuNanos.addAndGet(end.taskMetrics().executorCpuTime());
            }
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Step time of data-parallel training of the full-size GoogLeNet (synthetic images).")
    static final class Train implements Callable<Integer> {
        @Option(names = "--partitions", defaultValue = "2")
        int partitions;

        @Option(names = "--batch", defaultValue = "4", description = "global batch")
        int batch;

        @Option(names = "--steps", defaultValue = "6")
        int steps;

        @Mixin
        SessionOptions session;

        @Override
        public Integer call() throws IOException {
            SparkSession spark = session.start("googlenet bench train");
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                        .optNumClasses(1000).optAuxHeads(false).build();
                Random rnd = new Random(1);
                List<Sample> samples = new ArrayList<>();
                for (int i = 0; i < batch * steps; i++) {
                    float[] px = new float[3 * 224 * 224];
                    for (int k = 0; k < px.length; k++) {
                        px[k] = (float) rnd.nextGaussian();
                    }
                    samples.add(new Sample(px, rnd.nextInt(1000)));
                }
                List<String> classes = Models.defaultClassNames(1000);
                TrainSettings settings = new TrainSettings(batch, 1, 0.01f, 0.9f, 1e-4f, true, 0f, 1);
                DataParallelTrainer trainer = new DataParallelTrainer(sc, config, settings, null, classes,
                        Preprocess.TORCHVISION);
                trainer.fit(sc.parallelize(samples, partitions), false);
                long params = trainer.model().parameters().stream().mapToLong(p -> p.value().size()).sum();
                System.out.printf(Locale.ROOT, "model: %d parameters, %.1f MB as float32%n", params,
                        params * 4 / 1e6);
                for (StepTimes t : trainer.stepTimes()) {
                    System.out.printf(Locale.ROOT, "RESULT step_ms=%.1f ship_ms=%.1f compute_ms=%.1f "
                                    + "aggregate_ms=%.1f update_ms=%.1f%n", t.total() / 1e6, t.ship() / 1e6,
                            t.compute() / 1e6, t.aggregate() / 1e6, t.update() / 1e6);
                }
            } finally {
                spark.stop();
            }
            return 0;
        }
    }
}
