package dev.googlenet.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The task side of {@link GoogLeNetTransformer}: streams a partition's rows through the model, {@code batchSize}
 * images per call, each row out with its input columns and the scores appended. Only one batch is held at a time.
 */
final class PartitionScorer implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ModelBytes> model;
    private final int inputIndex;
    private final boolean paths;
    private final int nameIndex;
    private final int topK;
    private final int batchSize;
    private final boolean embed;

    PartitionScorer(Broadcast<ModelBytes> model, int inputIndex, boolean paths, int nameIndex, int topK,
                    int batchSize, boolean embed) {
        this.model = model;
        this.inputIndex = inputIndex;
        this.paths = paths;
        this.nameIndex = nameIndex;
        this.topK = topK;
        this.batchSize = batchSize;
        this.embed = embed;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        // the model is fetched and loaded when the first row arrives: an empty partition costs nothing
        return new Iterator<>() {
            private ImageScorer scorer;
            private Iterator<Row> batch = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                if (!batch.hasNext() && rows.hasNext()) {
                    batch = next(rows).iterator();
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }

            private List<Row> next(Iterator<Row> rows) {
                if (scorer == null) {
                    scorer = new ImageScorer(ExecutorModels.get(model.value()), topK, embed);
                }
                List<Row> in = new ArrayList<>(batchSize);
                List<ImageScorer.Encoded> images = new ArrayList<>(batchSize);
                while (in.size() < batchSize && rows.hasNext()) {
                    Row row = rows.next();
                    in.add(row);
                    images.add(encoded(row));
                }
                List<ImageScorer.Scored> scored = scorer.score(images);
                List<Row> out = new ArrayList<>(in.size());
                for (int i = 0; i < in.size(); i++) {
                    out.add(withScores(in.get(i), scored.get(i)));
                }
                return out;
            }
        };
    }

    /** The row's image; a missing or unreadable file becomes empty bytes, which the scorer reports as an error. */
    private ImageScorer.Encoded encoded(Row row) {
        String name = nameIndex >= 0 && !row.isNullAt(nameIndex) ? row.getString(nameIndex) : "row";
        if (row.isNullAt(inputIndex)) {
            return new ImageScorer.Encoded(name + " (no image: null)", new byte[0]);
        }
        if (!paths) {
            return new ImageScorer.Encoded(name, (byte[]) row.get(inputIndex));
        }
        try {
            Path path = new Path(name);
            FileSystem fs = path.getFileSystem(new Configuration());
            try (FSDataInputStream in = fs.open(path)) {
                return new ImageScorer.Encoded(name, in.readAllBytes());
            }
        } catch (IOException | IllegalArgumentException e) {
            return new ImageScorer.Encoded(name + " (cannot read: " + e.getMessage() + ")", new byte[0]);
        }
    }

    private Row withScores(Row row, ImageScorer.Scored s) {
        int n = row.length();
        Object[] values = new Object[n + (embed ? 5 : 4)];
        for (int i = 0; i < n; i++) {
            values[i] = row.get(i);
        }
        boolean ok = s.error() == null;
        values[n] = ok ? box(s.classes()) : null;
        values[n + 1] = ok ? s.labels() : null;
        values[n + 2] = ok ? box(s.probabilities()) : null;
        if (embed) {
            values[n + 3] = ok ? Vectors.dense(s.embedding()) : null;
        }
        values[values.length - 1] = s.error();
        return RowFactory.create(values);
    }

    private static Integer[] box(int[] v) {
        Integer[] out = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
