package dev.googlenet.bench;

import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Dataset;
import dev.googlenet.data.FloatImage;
import dev.googlenet.data.HorizontalFlip;
import dev.googlenet.data.IdxDataset;
import dev.googlenet.data.KnownDataset;
import dev.googlenet.data.Normalize;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RandomCrop;
import dev.googlenet.data.Transform;
import dev.googlenet.infer.FineTuning;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Evaluator;
import dev.googlenet.infer.KNearestNeighbours;
import dev.googlenet.train.ScheduleKind;
import dev.googlenet.train.Trainer;
import dev.googlenet.train.TrainingConfig;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Transfer learning inside Fashion-MNIST (no ImageNet weights offline): pretrain the small-input GoogLeNet on
 * classes 0–4, then learn classes 5–9 from 10, 50 and 500 labelled images per class four ways — from scratch,
 * fine-tuned from the pretrained model, a linear head on its frozen features (cached), and k-nearest neighbours
 * on its embeddings — and score each on the 5,000 test images of classes 5–9, with its wall time.
 * <p>
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.googlenet.bench.TransferExperiment [--out DIR] [--pretrain-epochs 2] [--quick]}
 * writes {@code transfer.csv}, {@code transfer.md} (the table) and {@code transfer.png} (the plot) into DIR.
 */
public final class TransferExperiment {
    private static final int[] SHOTS = {10, 50, 500};
    private static final float WIDTH = 0.375f;

    private TransferExperiment() {
    }

    /** Examples of a dataset whose labels lie in [from, from + classes), relabelled to start at 0. */
    record Relabelled(Dataset base, int[] indices, int from, List<String> classes) implements Dataset {
        static Relabelled of(Dataset base, int from, int count) {
            List<Integer> picked = new ArrayList<>();
            for (int i = 0; i < base.size(); i++) {
                int l = base.label(i);
                if (l >= from && l < from + count) {
                    picked.add(i);
                }
            }
            return new Relabelled(base, picked.stream().mapToInt(Integer::intValue).toArray(), from,
                    base.classes().subList(from, from + count));
        }

        /** The first {@code perClass} examples of each class in a seeded random order. */
        Relabelled shots(int perClass, long seed) {
            int[] order = dev.googlenet.data.Split.permutation(indices.length, new SplittableRandom(seed));
            int[] taken = new int[classes.size()];
            List<Integer> out = new ArrayList<>();
            for (int k : order) {
                int c = label(k);
                if (taken[c] < perClass) {
                    taken[c]++;
                    out.add(indices[k]);
                }
            }
            return new Relabelled(base, out.stream().mapToInt(Integer::intValue).toArray(), from, classes);
        }

        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public int label(int index) {
            return base.label(indices[index]) - from;
        }

        @Override
        public FloatImage image(int index) throws IOException {
            return base.image(indices[index]);
        }

        @Override
        public String describe() {
            return base.describe() + " classes " + from + "–" + (from + classes.size() - 1) + " (" + size() + ")";
        }
    }

    /** One row of the table. */
    record Row(String method, int shots, double top1, double seconds, String note) {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("runs/transfer");
        int pretrainEpochs = 2;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--pretrain-epochs" -> pretrainEpochs = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(out);
        KnownDataset fm = KnownDataset.FASHION_MNIST;
        Path folder = fm.locate(null);
        IdxDataset train = fm.load(folder, KnownDataset.Part.TRAIN), test = fm.load(folder, KnownDataset.Part.TEST);
        Normalize normalize = new Normalize(new float[] {fm.mean()}, new float[] {fm.std()});
        Transform augment = Transform.compose(List.of(new RandomCrop(28, 2), new HorizontalFlip(0.5), normalize));
        Preprocess preprocess = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255,
                new float[] {fm.mean(), fm.mean(), fm.mean()}, new float[] {fm.std(), fm.std(), fm.std()}, 28, 28);

        Relabelled source = Relabelled.of(train, 0, 5), target = Relabelled.of(train, 5, 5);
        Relabelled targetTest = Relabelled.of(test, 5, 5);
        // two shared cores: pretraining sees 2,000 images of each source class (10,000), not all 30,000
        source = source.shots(quick ? 200 : 2000, 1);
        if (quick) {
            targetTest = targetTest.shots(100, 1);
        }
        log("source %s, target %s, test %s", source.describe(), target.describe(), targetTest.describe());

        // 1. pretraining on classes 0–4
        long t0 = System.nanoTime();
        GoogLeNet pretrained = new GoogLeNet(config(5, true, 1));
        TrainingConfig pre = TrainingConfig.builder().epochs(pretrainEpochs).batchSize(128).learningRate(0.1)
                .schedule(ScheduleKind.ONECYCLE).seed(1).build();
        try (DataLoader loader = loader(source, 128, augment, 1)) {
            new Trainer(pretrained, pre, loader, null, out.resolve("pretrain")).preprocess(preprocess).fit();
        }
        double pretrainSeconds = seconds(t0);
        LoadedModel sourceModel = dev.googlenet.infer.Models.of(pretrained, preprocess, source.classes());
        double sourceTop1;
        try (DataLoader l = evalLoader(Relabelled.of(test, 0, 5))) {
            sourceTop1 = Evaluator.evaluate(pretrained, l).top1();
        }
        log("pretrained on classes 0–4: %.1f s, test top-1 on classes 0–4 %.2f%%", pretrainSeconds, 100 * sourceTop1);

        // test embeddings once: kNN's rows each include this time
        long tTest = System.nanoTime();
        InferencePlan plan = sourceModel.plan().orElseThrow();
        Embedded testEmb = embed(plan, targetTest);
        double testEmbedSeconds = seconds(tTest);

        List<Row> rows = new ArrayList<>();
        for (int shots : SHOTS) {
            Relabelled few = target.shots(shots, 100 + shots);
            int n = few.size();
            int batch = Math.min(128, Math.max(10, n / 4));
            int epochs = shots <= 10 ? 30 : shots <= 50 ? 16 : 4;
            if (quick) {
                epochs = Math.max(2, epochs / 10);
            }
            log("--- %d per class: %d images, batch %d, %d epochs", shots, n, batch, epochs);

            // from scratch
            t0 = System.nanoTime();
            GoogLeNet scratch = new GoogLeNet(config(5, true, 2));
            fit(scratch, recipe(epochs, batch, 0.1, "none", 1), few, augment, null, out, "scratch-" + shots);
            rows.add(new Row("from scratch", shots, score(scratch, targetTest), seconds(t0), ""));
            log("%s", rows.getLast());

            // fine-tuned: every layer, the backbone at a tenth of the head's rate
            t0 = System.nanoTime();
            GoogLeNet tuned = FineTuning.fromPretrained(sourceModel, 5, true, 3);
            fit(tuned, recipe(epochs, batch, 0.05, "none", 0.1), few, augment, null, out, "finetune-" + shots);
            rows.add(new Row("fine-tuned", shots, score(tuned, targetTest), seconds(t0), "backbone lr ×0.1"));
            log("%s", rows.getLast());

            // frozen backbone + linear head, on cached features (no augmentation); scored on the test features
            t0 = System.nanoTime();
            GoogLeNet linear = FineTuning.fromPretrained(sourceModel, 5, false, 4);
            Trainer cached = fit(linear, recipe(epochs, batch, 0.1, "backbone", 1), few, normalize, Boolean.TRUE,
                    out, "linear-" + shots);
            double cachedTraining = seconds(t0);
            rows.add(new Row("frozen + linear head", shots, scoreHead(linear, testEmb), seconds(t0) + testEmbedSeconds,
                    String.format(Locale.ROOT, "features cached in %.1f s", cached.featureCacheSeconds())));
            log("%s", rows.getLast());
            if (shots == 50) { // the same training without the cache: the speed-up
                t0 = System.nanoTime();
                GoogLeNet slow = FineTuning.fromPretrained(sourceModel, 5, false, 4);
                fit(slow, recipe(epochs, batch, 0.1, "backbone", 1), few, normalize, Boolean.FALSE, out,
                        "linear-uncached-" + shots);
                double uncachedTraining = seconds(t0);
                rows.add(new Row("frozen + linear head, not cached", shots, scoreHead(slow, testEmb),
                        seconds(t0) + testEmbedSeconds, String.format(Locale.ROOT,
                        "training %.1f s vs %.1f s cached: %.1f× faster", uncachedTraining, cachedTraining,
                        uncachedTraining / cachedTraining)));
                log("%s", rows.getLast());
            }

            // k-nearest neighbours on the pretrained model's embeddings
            t0 = System.nanoTime();
            Embedded trainEmb = embed(plan, few);
            KNearestNeighbours knn = new KNearestNeighbours(trainEmb.vectors(), trainEmb.labels(), 5);
            int[] predicted = knn.classify(testEmb.vectors());
            int hits = 0;
            for (int i = 0; i < predicted.length; i++) {
                hits += predicted[i] == testEmb.labels()[i] ? 1 : 0;
            }
            rows.add(new Row("kNN on embeddings (k 5, cosine)", shots, (double) hits / predicted.length,
                    seconds(t0) + testEmbedSeconds, ""));
            log("%s", rows.getLast());
            write(out, rows, pretrainSeconds, sourceTop1, targetTest.size());
        }
        write(out, rows, pretrainSeconds, sourceTop1, targetTest.size());
        log("done: %s", out.resolve("transfer.md"));
    }

    private static GoogLeNetConfig config(int classes, boolean aux, long seed) {
        return GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(classes).optAuxHeads(aux)
                .optSmallInput(true).optWidth(WIDTH).optInputChannels(1).optSeed(seed).build();
    }

    private static TrainingConfig recipe(int epochs, int batch, double lr, String freeze, double backboneMult) {
        return TrainingConfig.builder().epochs(epochs).batchSize(batch).learningRate(lr)
                .schedule(ScheduleKind.ONECYCLE).seed(7).freeze(freeze).backboneLrMult(backboneMult).build();
    }

    /** Trains; {@code cache}: null (augmented, full model), TRUE (cached features), FALSE (frozen, uncached). */
    private static Trainer fit(GoogLeNet model, TrainingConfig recipe, Dataset data, Transform transform,
                               Boolean cache, Path out, String name) throws IOException {
        try (DataLoader loader = loader(data, recipe.batchSize(), transform, 7)) {
            Trainer t = new Trainer(model, recipe, loader, null, out.resolve(name));
            if (Boolean.TRUE.equals(cache)) {
                t.cacheFeatures();
            }
            t.fit();
            return t;
        }
    }

    private static DataLoader loader(Dataset data, int batch, Transform t, long seed) {
        return DataLoader.builder(data).batchSize(batch).transform(t).seed(seed).workers(1)
                .dropLast(data.size() > batch).build();
    }

    private static DataLoader evalLoader(Dataset data) {
        KnownDataset fm = KnownDataset.FASHION_MNIST;
        return DataLoader.builder(data).batchSize(250).shuffle(false)
                .transform(new Normalize(new float[] {fm.mean()}, new float[] {fm.std()})).build();
    }

    private static double score(GoogLeNet model, Dataset test) {
        try (DataLoader l = evalLoader(test)) {
            return Evaluator.evaluate(model, l).top1();
        }
    }

    /** Top-1 of a model whose backbone is frozen, from the test images' features: its classifier alone runs. */
    private static double scoreHead(GoogLeNet model, Embedded test) {
        model.freezeThrough("dropout"); // dropout in eval mode; the classifier reads the features
        Tensor logits = model.forwardTrainFrom(dev.googlenet.model.Taps.FEATURES, test.vectors()).main();
        int[] predicted = dev.googlenet.train.Accuracy.argmax(logits);
        int hits = 0;
        for (int i = 0; i < predicted.length; i++) {
            hits += predicted[i] == test.labels()[i] ? 1 : 0;
        }
        return (double) hits / predicted.length;
    }

    record Embedded(Tensor vectors, int[] labels) {
    }

    private static Embedded embed(InferencePlan plan, Dataset data) {
        List<Tensor> parts = new ArrayList<>();
        int[] labels = new int[data.size()];
        int at = 0;
        try (DataLoader l = evalLoader(data); DataLoader.Epoch e = l.epoch(0)) {
            for (DataLoader.Batch b : e) {
                parts.add(plan.features(b.images()));
                System.arraycopy(b.labels(), 0, labels, at, b.size());
                at += b.size();
            }
        }
        return new Embedded(dev.googlenet.infer.Embeddings.rows(parts), labels);
    }

    private static void write(Path out, List<Row> rows, double pretrainSeconds, double sourceTop1, int testSize)
            throws IOException {
        StringBuilder csv = new StringBuilder("method,per_class,test_top1,seconds,note\n");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Pretraining on classes 0–4: %.0f s (test top-1 on classes 0–4: %.2f%%). Test: the %,d test images of "
                        + "classes 5–9.%n%n| method | labelled per class | test top-1 | wall time (s) | note |%n"
                        + "| --- | --- | --- | --- | --- |%n", pretrainSeconds, 100 * sourceTop1, testSize));
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.1f,%s%n", r.method(), r.shots(), r.top1(), r.seconds(),
                    r.note().replace(',', ';')));
            md.append(String.format(Locale.ROOT, "| %s | %d | %.2f%% | %.1f | %s |%n", r.method(), r.shots(),
                    100 * r.top1(), r.seconds(), r.note()));
        }
        Files.writeString(out.resolve("transfer.csv"), csv);
        Files.writeString(out.resolve("transfer.md"), md);
        XYSeriesCollection series = new XYSeriesCollection();
        for (Row r : rows) {
            if (r.method().endsWith("not cached")) {
                continue;
            }
            XYSeries s;
            int i = series.indexOf(r.method());
            if (i < 0) {
                s = new XYSeries(r.method());
                series.addSeries(s);
            } else {
                s = series.getSeries(i);
            }
            s.add(r.shots(), 100 * r.top1());
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Fashion-MNIST classes 5–9 after pretraining on 0–4",
                "labelled images per class", "test top-1 (%)", series, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("labelled images per class");
        x.setBase(10);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        plot.setDomainAxis(x);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        ChartUtils.saveChartAsPNG(out.resolve("transfer.png").toFile(), chart, 720, 440);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[%tT] %s%n", java.time.LocalTime.now(), String.format(Locale.ROOT, format, args));
    }
}
