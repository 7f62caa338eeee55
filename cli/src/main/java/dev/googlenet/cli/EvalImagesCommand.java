package dev.googlenet.cli;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.ImageClassifier;
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

@Command(name = "eval", description = "Top-1/top-5 error of a model on a labelled image folder (one sub-folder per "
        + "class, named by class index 0–999 or by ImageNet synset id n01440764…, then all 1000 in sorted order, as "
        + "ImageNet's class indices are), with --crops 10 or 144; or, with --checkpoint RUN, of a trained run on its "
        + "dataset's test split, with a confusion matrix.")
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
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classDirs.isEmpty()) {
            throw new IOException(dir + ": no class sub-folders");
        }
        int[] labels = classIndices(classDirs);
        ModelOptions.Loaded loaded = modelOptions.load().inferenceOnly(); // the plan is all it runs
        ImageClassifier classifier = loaded.classifier(batch);
        Tta.Mode mode = ClassifyCommand.mode(crops);
        long seen = 0, top1 = 0, top5 = 0;
        int failed = 0;
        for (int c = 0; c < classDirs.size(); c++) {
            List<RgbImage> images = new ArrayList<>();
            for (ImageDecoder.Decoded d : ImageDecoder.decodeFolder(classDirs.get(c))) {
                if (d.error() != null) {
                    System.err.println(d.error().getMessage());
                    failed++;
                } else {
                    images.add(d.image());
                }
            }
            int label = labels[c];
            for (List<ImageClassifier.Prediction> preds : classifier.classify(images, mode, 5)) {
                seen++;
                if (preds.getFirst().index() == label) {
                    top1++;
                }
                if (preds.stream().anyMatch(p -> p.index() == label)) {
                    top5++;
                }
            }
        }
        if (seen == 0) {
            throw new IOException(dir + ": no readable images");
        }
        System.out.printf(Locale.ROOT, "%d images, %d crop(s) each: top-1 error %.2f%%, top-5 error %.2f%%%n", seen,
                crops, 100.0 * (seen - top1) / seen, 100.0 * (seen - top5) / seen);
        return failed == 0 ? 0 : 1;
    }

    private static int[] classIndices(List<Path> classDirs) throws IOException {
        int[] out = new int[classDirs.size()];
        boolean numeric = classDirs.stream().allMatch(p -> p.getFileName().toString().matches("\\d{1,4}"));
        boolean synsets = classDirs.stream().allMatch(p -> p.getFileName().toString().matches("n\\d{8}"));
        if (numeric) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Integer.parseInt(classDirs.get(i).getFileName().toString());
            }
        } else if (synsets && classDirs.size() == 1000) {
            for (int i = 0; i < out.length; i++) {
                out[i] = i; // ImageNet's class index is the synset's position in sorted order
            }
        } else {
            throw new IOException(classDirs.getFirst().getParent() + ": class folders must be named by class index "
                    + "(0–999) or be all 1000 ImageNet synset ids; found e.g. '" + classDirs.getFirst().getFileName()
                    + "'");
        }
        return out;
    }
}
