package dev.googlenet.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Batch inference as a Spark ML pipeline stage: classifies (and optionally embeds) the images of a DataFrame.
 *
 * <p>Input: {@code spark.read.format("binaryFile")}'s DataFrame (the image bytes in {@code content}, the file in
 * {@code path}), or any DataFrame with a binary column of image bytes or a string column of image paths
 * ({@link #inputCol}; paths are read through Hadoop's FileSystem on the executors). Output: the input's columns
 * plus {@code classes} (array&lt;int&gt;, the top-k class indices, most probable first), {@code labels}
 * (array&lt;string&gt;), {@code probabilities} (array&lt;float&gt;), the embedding when {@link #embeddingCol} names a
 * column (the pooled 1024-d features as an {@code ml.linalg.Vector}), and {@code error} (null, or why the image
 * could not be scored; its other outputs are then null: a bad image never fails the job).
 *
 * <p>The model file is read once on the driver and broadcast; each executor JVM loads it from the broadcast the
 * first time a task needs it and shares it with its other tasks ({@link ExecutorModels}). Each partition is scored
 * {@link #batchSize} images per call of the compiled inference plan. Saves and loads with Spark ML's writer like
 * any stage; what it saves is the model's location, not its weights.
 */
public final class GoogLeNetTransformer extends Transformer implements DefaultParamsWritable {
    public static final String CLASSES = "classes";
    public static final String LABELS = "labels";
    public static final String PROBABILITIES = "probabilities";
    public static final String ERROR = "error";

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> embeddingCol;
    private final IntParam topK;
    private final IntParam batchSize;

    public GoogLeNetTransformer() {
        this(Identifiable.randomUID("googlenet"));
    }

    /** The constructor Spark ML's reader and {@link #copy} call. */
    public GoogLeNetTransformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the model file (.onnx or .safetensors), any Hadoop path");
        inputCol = new Param<>(this, "inputCol", "the column of image bytes (binary) or image paths (string)");
        pathCol = new Param<>(this, "pathCol", "the column that names an image in errors (binary input)");
        embeddingCol = new Param<>(this, "embeddingCol", "the column for the pooled features; empty: none");
        topK = new IntParam(this, "topK", "how many classes per image", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "images per model call", ParamValidators.gtEq(1));
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(embeddingCol, "");
        setDefault(topK, 5);
        setDefault(batchSize, 16);
    }

    /** Reads a transformer saved with {@code write().save(path)}. */
    public static MLReader<GoogLeNetTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static GoogLeNetTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> pathCol() {
        return pathCol;
    }

    public Param<String> embeddingCol() {
        return embeddingCol;
    }

    public IntParam topK() {
        return topK;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public GoogLeNetTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    public GoogLeNetTransformer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public GoogLeNetTransformer setPathCol(String value) {
        set(pathCol, value);
        return this;
    }

    public GoogLeNetTransformer setEmbeddingCol(String value) {
        set(embeddingCol, value);
        return this;
    }

    public GoogLeNetTransformer setTopK(int value) {
        set(topK, value);
        return this;
    }

    public GoogLeNetTransformer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    private boolean embeds() {
        return !getOrDefault(embeddingCol).isEmpty();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("GoogLeNetTransformer: no modelPath set");
        }
        String in = getOrDefault(inputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("GoogLeNetTransformer: no input column '" + in + "' in "
                    + schema.simpleString());
        }
        DataType type = schema.apply(in).dataType();
        if (!type.equals(DataTypes.BinaryType) && !type.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("GoogLeNetTransformer: input column '" + in + "' is " + type
                    .simpleString() + "; it must hold image bytes (binary) or image paths (string)");
        }
        StructType out = schema;
        out = add(out, new StructField(CLASSES, DataTypes.createArrayType(DataTypes.IntegerType, false), true,
                org.apache.spark.sql.types.Metadata.empty()));
        out = add(out, new StructField(LABELS, DataTypes.createArrayType(DataTypes.StringType, false), true,
                org.apache.spark.sql.types.Metadata.empty()));
        out = add(out, new StructField(PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), true,
                org.apache.spark.sql.types.Metadata.empty()));
        if (embeds()) {
            out = add(out, new StructField(getOrDefault(embeddingCol), SQLDataTypes.VectorType(), true,
                    org.apache.spark.sql.types.Metadata.empty()));
        }
        return add(out, new StructField(ERROR, DataTypes.StringType, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    private static StructType add(StructType schema, StructField field) {
        if (Arrays.asList(schema.fieldNames()).contains(field.name())) {
            throw new IllegalArgumentException("GoogLeNetTransformer: the input already has a column '"
                    + field.name() + "'");
        }
        return schema.add(field);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType outSchema = transformSchema(schema);
        SparkSession spark = dataset.sparkSession();
        ModelBytes bytes;
        try {
            bytes = ModelBytes.read(getOrDefault(modelPath), spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        // load it here too: a file that is not a model is one clear error now, not a retried failure per task
        new ImageScorer(ExecutorModels.get(bytes), (Integer) getOrDefault(topK), embeds());
        Broadcast<ModelBytes> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes);
        String in = getOrDefault(inputCol);
        boolean paths = schema.apply(in).dataType().equals(DataTypes.StringType);
        String names = getOrDefault(pathCol);
        int nameIndex = paths ? schema.fieldIndex(in)
                : Arrays.asList(schema.fieldNames()).contains(names) ? schema.fieldIndex(names) : -1;
        PartitionScorer scorer = new PartitionScorer(shipped, schema.fieldIndex(in), paths, nameIndex,
                (Integer) getOrDefault(topK), (Integer) getOrDefault(batchSize), embeds());
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(scorer);
        return spark.createDataFrame(rows, outSchema);
    }

    @Override
    public GoogLeNetTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
