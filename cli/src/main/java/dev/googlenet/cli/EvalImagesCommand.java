package dev.googlenet.cli;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.FolderLabels;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.train.EvalResult;
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
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "eval", description = "Top-1/top-5 error, per-class recall and the confusion matrix of a model on a "
        + "labelled image folder (one sub-folder per class, named by the model's class name, by class index, or by "
        + "ImageNet synset id n01440764…, all 1000), with --crops 10 or 144; or, with --checkpoint RUN, of a trained "
        + "run on its dataset's test split (an image-folder run: its held-out split).")
final class EvalImagesCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "folder with one sub-folder per class")
    Path dir;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    CheckpointEvalOptions checkpoint;

    @Option(names = "--crops", defaultValue = "1", description = "1, 10 or 144 (default: ${DEFAULT-VALUE}); with "
            + "--checkpoint 1 or 10: the center and four corner crops of the image padded as in training, and their "
            + "mirror images")
    int crops;

    @Option(names = "--batch", defaultValue = "16", description = "crops per model call (default: ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() throws IOException {
        if (checkpoint.requested()) {
            return checkpoint.run(batch, crops, System.out);
        }
        if (dir == null) {
            throw new IllegalArgumentException("give an image folder DIR and a model, or --checkpoint RUN");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder");
        }
        List<Path> classDirs;
        try (Stream<Path> st = Files.list(dir)) {
            classDirs = st.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        if (classDirs.isEmpty()) {
            throw new IOException(dir + ": no class sub-folders");
        }
        ModelOptions.Loaded loaded = modelOptions.load().inferenceOnly(); // the plan is all it runs
        List<String> folders = classDirs.stream().map(p -> p.getFileName().toString()).toList();
        int[] labels;
        try {
            labels = FolderLabels.map(folders, loaded.labels());
        } catch (IllegalArgumentException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
        ImageClassifier classifier = loaded.classifier(batch);
        Tta.Mode mode = ClassifyCommand.mode(crops);
        // rows and columns: the folders' classes, then one column for any other class the model predicts
        int k = folders.size();
        long[][] confusion = new long[k + 1][k + 1];
        long seen = 0, top1 = 0, top5 = 0;
        double lossSum = 0;
        int failed = 0;
        for (int c = 0; c < k; c++) {
            List<RgbImage> images = new ArrayList<>();
            for (ImageDecoder.Decoded d : ImageDecoder.decodeFolder(classDirs.get(c))) {
                if (d.error() != null) {
                    System.err.println("skipped " + d.error().getMessage());
                    failed++;
                } else {
                    images.add(d.image());
                }
            }
            int label = labels[c];
            for (float[] p : classifier.probabilities(images, mode)) {
                seen++;
                List<ImageClassifier.Prediction> best = classifier.top(p, 5);
                top1 += best.getFirst().index() == label ? 1 : 0;
                top5 += best.stream().anyMatch(x -> x.index() == label) ? 1 : 0;
                lossSum -= Math.log(Math.max(p[label], 1e-30f));
                int column = indexOf(labels, best.getFirst().index());
                confusion[c][column < 0 ? k : column]++;
            }
        }
        if (seen == 0) {
            throw new IOException(dir + ": no readable images");
        }
        boolean other = java.util.Arrays.stream(confusion).anyMatch(r -> r[k] > 0);
        List<String> names = new ArrayList<>(folders);
        long[][] shown = confusion;
        if (other) {
            names.add("(another class)");
        } else {
            shown = java.util.Arrays.stream(confusion, 0, k).map(r -> java.util.Arrays.copyOf(r, k))
                    .toArray(long[][]::new);
        }
        EvalResult result = new EvalResult((int) seen, lossSum / seen, (double) top1 / seen, (double) top5 / seen,
                shown, names);
        System.out.printf(Locale.ROOT, "%d images, %d crop(s) each: top-1 error %.2f%%, top-5 error %.2f%%%n", seen,
                crops, 100.0 * (seen - top1) / seen, 100.0 * (seen - top5) / seen);
        System.out.print(result.render());
        if (failed > 0) {
            System.out.printf(Locale.ROOT, "%d unreadable file(s) skipped (listed on stderr)%n", failed);
        }
        if (checkpoint.confusionPng != null) {
            ConfusionPlot.write(result, checkpoint.confusionPng);
            System.out.println("confusion matrix: " + checkpoint.confusionPng);
        }
        return failed == 0 ? 0 : 1;
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
