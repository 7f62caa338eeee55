package dev.googlenet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Dataset;
import dev.googlenet.data.ImageFolderDataset;
import dev.googlenet.data.KnownDataset;
import dev.googlenet.data.Normalize;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.ResizeCenterCrop;
import dev.googlenet.data.Split;
import dev.googlenet.data.Transform;
import dev.googlenet.train.Checkpoints;
import dev.googlenet.train.DataRecipe;
import dev.googlenet.train.EvalResult;
import dev.googlenet.train.Evaluator;
import dev.googlenet.train.TestView;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Evaluation of a model written by {@code googlenet train} on labelled data (a picocli mixin, so that any
 * evaluation command can offer it): the run's own dataset by default, its test split, the Polyak-averaged weights
 * when the run has them. Prints top-1, top-5, loss and the confusion matrix. The batch size is the host
 * command's.
 */
final class CheckpointEvalOptions {

    @Option(names = "--checkpoint", paramLabel = "RUN",
            description = "a run folder (or its checkpoint.json), or a weights .safetensors written by train")
    Path checkpoint;

    @Option(names = "--dataset", paramLabel = "NAME|FOLDER",
            description = "fashion-mnist, mnist or an image folder (default: the run's dataset)")
    String dataset;

    @Option(names = "--data", paramLabel = "FOLDER", description = "folder holding the IDX files (default: searched)")
    Path data;

    @Option(names = "--split", description = "test, val (the run's held-out part) or train (default: test for "
            + "fashion-mnist / mnist; val for the run's own image folder, whose images it never trained on; another "
            + "image folder is evaluated whole)")
    String split;

    @Option(names = "--confusion-png", paramLabel = "FILE", description = "also draw the confusion matrix as a PNG")
    Path confusionPng;

    @Option(names = "--raw", description = "use the trained weights, not their Polyak average")
    boolean raw;

    @Option(names = "--mirror", description = "also score each image averaged with its mirror image (softmax "
            + "outputs averaged: the paper's multi-crop testing reduced to two views)")
    boolean mirror;

    @Option(names = "--limit", defaultValue = "0", description = "evaluate this many random examples (0 = all)")
    int limit;

    @Option(names = "--workers", defaultValue = "1", description = "data threads (default: ${DEFAULT-VALUE})")
    int workers;

    /** Whether a checkpoint was given (the host command then delegates to {@link #run}). */
    boolean requested() {
        return checkpoint != null;
    }

    @Option(names = "--crop-padding", paramLabel = "P", description = "with --crops 10: pad the image by P pixels "
            + "before cutting the corner crops (default: half the run's crop-pad padding, at least 1)")
    Integer cropPadding;

    /** Evaluates; {@code crops}: 1, or 10 for the ten crops of the padded image (see {@link TestView#tenCrop}). */
    int run(int batch, int crops, PrintStream out) throws IOException {
        if (crops != 1 && crops != 10) {
            throw new IllegalArgumentException("--crops with --checkpoint is 1 or 10, not " + crops);
        }
        if (crops == 10 && mirror) {
            throw new IllegalArgumentException("--crops 10 already includes the mirror images; drop --mirror");
        }
        Checkpoints.TrainedModel tm = Checkpoints.load(checkpoint, !raw);
        JsonNode run = null;
        if (Files.isDirectory(checkpoint) || checkpoint.getFileName().toString().endsWith(".json")) {
            run = Checkpoints.readCheckpoint(checkpoint);
        }
        DataRecipe recipe = run != null && run.hasNonNull("data") ? DataRecipe.fromJson(run.get("data")) : null;
        String name = dataset != null ? dataset : recipe != null ? recipe.dataset() : null;
        if (name == null) {
            throw new IOException("which data? pass --dataset (the weights file alone does not say)");
        }
        Preprocess pre = tm.preprocess();
        if (pre == null) {
            throw new IOException(tm.file() + ": no preprocess.* metadata, so the input normalization is unknown");
        }
        KnownDataset known = KnownDataset.byName(name);
        Dataset ds;
        Transform transform;
        int channels = tm.config().inputChannels();
        // the weights' own preprocessing, for images in [0, 1] (a fine-tuned Caffe model: 0–255 means, BGR)
        Normalize normalize = DataRecipe.normalization(pre, channels);
        String part = split != null ? split.toLowerCase(Locale.ROOT) : known != null ? "test" : "val";
        String scored;
        if (known != null) {
            scored = part + " split";
            Path folder = known.locate(data != null ? data
                    : recipe != null && known.folderName().equals(recipe.dataset()) ? recipe.dataPath() : null);
            ds = switch (part) {
                case "test" -> known.load(folder, KnownDataset.Part.TEST);
                case "train" -> known.load(folder, KnownDataset.Part.TRAIN);
                case "val", "validation" -> {
                    if (recipe == null || recipe.valFraction() == 0) {
                        throw new IOException("--split val needs a run folder whose training held out a validation "
                                + "part");
                    }
                    yield Split.random(known.load(folder, KnownDataset.Part.TRAIN), recipe.valFraction(),
                            recipe.seed()).validation();
                }
                default -> throw new IllegalArgumentException("--split must be test, val or train, not '" + split + "'");
            };
            transform = normalize;
        } else {
            ImageFolderDataset folder = ImageFolderDataset.scanReadable(Path.of(name),
                    new dev.googlenet.data.PillowFileDecoder(), 1);
            for (ImageFolderDataset.Skipped s : folder.skipped()) {
                out.println("skipped " + s.file() + ": " + s.reason());
            }
            boolean runsOwn = recipe != null && recipe.dataset().equals(name);
            if (!runsOwn) { // not the images the run trained on: all of them
                if (split != null) {
                    throw new IllegalArgumentException("--split applies to the run's own data; " + name
                            + " is evaluated whole");
                }
                ds = folder;
                scored = "the whole folder";
            } else {
                // the run's split, recomputed: the same readable files, fraction and seed as in training
                Split runSplit = Split.random(folder, recipe.valFraction(), recipe.seed());
                ds = switch (part) {
                    case "val", "validation" -> {
                        if (recipe.valFraction() == 0) {
                            throw new IOException(checkpoint + ": the run held out no images (--val-fraction 0), so "
                                    + "every image of " + name + " was trained on; give --split train to score them "
                                    + "anyway, or --dataset with other images");
                        }
                        yield runSplit.validation();
                    }
                    case "train" -> runSplit.train();
                    default -> throw new IllegalArgumentException("--split for an image-folder run is val or train, "
                            + "not '" + split + "'");
                };
                scored = part.startsWith("val") ? String.format(Locale.ROOT, "the run's held-out split (%.0f%% of "
                        + "the folder, seed %d), never trained on", 100 * recipe.valFraction(), recipe.seed())
                        : "the run's TRAINING split (the images it learned from)";
            }
            transform = new ResizeCenterCrop(pre.resize(), pre.crop()).then(DataRecipe.toModel(pre, channels));
        }
        List<TestView> views = List.of(TestView.IDENTITY);
        String viewsName = null;
        if (crops == 10) {
            // Default: half the training padding, so the corner crops stay well inside what training showed the
            // model. (Fashion-MNIST, padding 2, on 6,000 held-out training images: shifts of 1 scored 94.50%,
            // shifts of 2 94.38%.)
            int p = cropPadding != null ? cropPadding
                    : recipe != null && recipe.augment().contains("crop-pad") ? Math.max(1, recipe.padding() / 2) : 0;
            if (p < 1) {
                throw new IllegalArgumentException("--crops 10 needs a padding: the run did not train with crop-pad, "
                        + "so give --crop-padding P");
            }
            views = TestView.tenCrop(p);
            viewsName = "ten crops (center and four corners of the image padded by " + p + ", and their mirror images)";
        } else if (mirror) {
            views = TestView.mirrored();
            viewsName = "with mirroring (each image averaged with its mirror image)";
        }
        if (limit > 0) {
            ds = Split.sample(ds, limit, 0);
        }
        out.printf(Locale.ROOT, "evaluating %s (%s weights, epoch %d) on %s (%s, %d images%s)%n", tm.file(),
                tm.weights(), tm.epoch(), known != null ? ds.describe() : name, scored, ds.size(),
                limit > 0 ? ", --limit" : "");
        long t0 = System.nanoTime();
        Evaluator.Views result;
        try (DataLoader loader = DataLoader.builder(ds).batchSize(batch).shuffle(false).transform(transform)
                .workers(workers).build()) {
            result = Evaluator.evaluate(tm.model(), loader, views, Evaluator.blank(normalize.mean(), normalize.std()),
                    n -> { });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        EvalResult r = result.single();
        out.print(r.render());
        if (confusionPng != null) {
            ConfusionPlot.write(r, confusionPng);
            out.println("confusion matrix: " + confusionPng);
        }
        if (result.averaged() != null) {
            EvalResult m = result.averaged();
            out.printf(Locale.ROOT, "%s: top-1 %.2f%%, top-5 %.2f%%, loss %.4f%n", viewsName, 100 * m.top1(),
                    100 * m.top5(), m.loss());
        }
        out.printf(Locale.ROOT, "%.1f s, %.0f images/s%n", seconds, r.count() / seconds);
        return 0;
    }
}
