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

    @Option(names = "--split", defaultValue = "test", description = "test, val (the run's held-out part) or train "
            + "(default: ${DEFAULT-VALUE}); an image folder is evaluated whole")
    String split;

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
        Normalize normalize = channels == 1
                ? new Normalize(new float[] {pre.mean()[0]}, new float[] {pre.std()[0]})
                : new Normalize(pre.mean(), pre.std());
        if (known != null) {
            Path folder = known.locate(data != null ? data
                    : recipe != null && known.folderName().equals(recipe.dataset()) ? recipe.dataPath() : null);
            ds = switch (split.toLowerCase(Locale.ROOT)) {
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
            ds = ImageFolderDataset.scan(Path.of(name), new dev.googlenet.data.PillowFileDecoder());
            transform = new ResizeCenterCrop(pre.resize(), pre.crop()).then(normalize);
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
        out.printf(Locale.ROOT, "evaluating %s (%s weights, epoch %d) on %s%n", tm.file(), tm.weights(),
                tm.epoch(), ds.describe());
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
        if (result.averaged() != null) {
            EvalResult m = result.averaged();
            out.printf(Locale.ROOT, "%s: top-1 %.2f%%, top-5 %.2f%%, loss %.4f%n", viewsName, 100 * m.top1(),
                    100 * m.top5(), m.loss());
        }
        out.printf(Locale.ROOT, "%.1f s, %.0f images/s%n", seconds, r.count() / seconds);
        return 0;
    }
}
