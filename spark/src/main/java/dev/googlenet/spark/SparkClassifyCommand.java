package dev.googlenet.spark;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code googlenet spark classify|embed PATH --model M --out OUT.parquet}: every file under PATH (a folder, read
 * recursively, or a glob; any Hadoop path) through {@link GoogLeNetTransformer}, the results written as Parquet:
 * {@code path}, the top-k {@code classes}/{@code labels}/{@code probabilities} (and {@code embedding} for embed),
 * {@code error}. The output is written beside OUT under a temporary name and renamed to OUT when complete.
 */
abstract class SparkClassifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "images: a folder (recursive) or a glob, any "
            + "Hadoop path")
    String input;

    @Option(names = "--model", required = true, description = "model file (.onnx or .safetensors), any Hadoop path")
    String model;

    @Option(names = "--out", required = true, description = "output Parquet folder (must not exist)")
    String out;

    @Option(names = "--top", defaultValue = "5", description = "classes per image (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--batch", defaultValue = "16", description = "images per model call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--partitions", description = "split the files into this many partitions (default: Spark's)")
    Integer partitions;

    @Mixin
    SessionOptions session;

    abstract boolean embed();

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Top-k classes of every image under PATH, as Parquet.")
    static final class Classify extends SparkClassifyCommand {
        @Override
        boolean embed() {
            return false;
        }
    }

    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "The pooled 1024-d features (and top-k classes) of every image under PATH, as Parquet.")
    static final class Embed extends SparkClassifyCommand {
        @Override
        boolean embed() {
            return true;
        }
    }

    @Override
    public Integer call() throws IOException {
        SparkSession spark = session.start("googlenet " + (embed() ? "embed" : "classify"));
        try {
            Path target = new Path(out);
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(target)) {
                throw new IOException(out + ": already exists; give a new --out");
            }
            long start = System.nanoTime();
            Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input);
            if (partitions != null) {
                files = files.repartition(partitions);
            }
            GoogLeNetTransformer t = new GoogLeNetTransformer().setModelPath(model).setTopK(top).setBatchSize(batch);
            if (embed()) {
                t.setEmbeddingCol("embedding");
            }
            List<Column> keep = new ArrayList<>(List.of(col("path"), col(GoogLeNetTransformer.CLASSES),
                    col(GoogLeNetTransformer.LABELS), col(GoogLeNetTransformer.PROBABILITIES)));
            if (embed()) {
                keep.add(col("embedding"));
            }
            keep.add(col(GoogLeNetTransformer.ERROR));
            Dataset<Row> scored = t.transform(files).select(keep.toArray(Column[]::new));
            Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
            scored.write().parquet(tmp.toString());
            if (!fs.rename(tmp, target)) {
                throw new IOException(out + ": could not rename " + tmp + " to it");
            }
            double seconds = (System.nanoTime() - start) / 1e9; // reading the file list, scoring, writing
            Dataset<Row> written = spark.read().parquet(out);
            long images = written.count();
            long errors = written.filter(col(GoogLeNetTransformer.ERROR).isNotNull()).count();
            System.out.printf(Locale.ROOT, "%d images (%d errors) in %.1f s, %.1f images/s -> %s%n", images, errors,
                    seconds, images / seconds, out);
            return 0;
        } finally {
            spark.stop();
        }
    }
}
