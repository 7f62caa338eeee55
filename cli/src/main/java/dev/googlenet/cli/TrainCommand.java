package dev.googlenet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.data.DataLoader;
import dev.googlenet.data.KnownDataset;
import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.FineTuning;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.TableOne;
import dev.googlenet.model.Variant;
import dev.googlenet.train.Checkpoints;
import dev.googlenet.train.DataRecipe;
import dev.googlenet.train.EpochMetrics;
import dev.googlenet.train.ScheduleKind;
import dev.googlenet.train.Trainer;
import dev.googlenet.train.TrainingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", sortOptions = false, description = {
        "Train GoogLeNet on fashion-mnist / mnist (IDX files) or an image folder (one sub-folder per class).",
        "Writes to --out: checkpoint.json + weights/ema/optimizer safetensors after every epoch, metrics.csv, "
                + "metrics.json and curves.png. --resume continues a run exactly where its last checkpoint ended."})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "fashion-mnist", paramLabel = "DATASET",
            description = "fashion-mnist, mnist, or a folder with one sub-folder of images per class "
                    + "(default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--data", paramLabel = "FOLDER", description = "folder holding the IDX files (default: search "
            + "../shared/datasets/NAME, /usr/share/datasets/NAME, ~/.cache/googlenet/datasets/NAME)")
    Path data;

    @Option(names = "--download", description = "download fashion-mnist / mnist when not found (needs network)")
    boolean download;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default: runs/DATASET)")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its checkpoint (its recipe is reused; "
            + "--epochs may extend it)")
    boolean resume;

    // ---------------------------------------------------------------- model
    @Option(names = "--init", paramLabel = "MODEL", description = "start from this model (an .onnx file, a "
            + ".safetensors written here or a torchvision state dict with --variant, a run folder): its backbone, "
            + "input size and preprocessing; the classifier is rebuilt for the data's classes, the aux heads are "
            + "new (or --no-aux)")
    Path init;

    @Option(names = "--freeze", defaultValue = "none", paramLabel = "none|backbone|LAYER", description = "freeze the "
            + "trunk up to and including LAYER (conv1 … inception5b; backbone = everything the classifier reads): "
            + "no gradients there, BatchNorm keeps its running statistics (default: ${DEFAULT-VALUE})")
    String freeze;

    @Option(names = "--backbone-lr-mult", defaultValue = "1", description = "learning-rate factor of the trainable "
            + "layers before the classifier (default: ${DEFAULT-VALUE})")
    double backboneLrMult;

    @Option(names = "--cache-features", negatable = true, description = "train the classifier on features computed "
            + "once (default: on when --freeze backbone, --augment none and no aux heads)")
    Boolean cacheFeatures;

    @Option(names = "--variant", defaultValue = "torchvision", description = "paper or torchvision (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--width", defaultValue = "0.5", description = "channel width multiplier (default: ${DEFAULT-VALUE})")
    float width;

    @Option(names = "--size", description = "input side: IDX sets use their own (28); image folders default to 224")
    Integer size;

    @Option(names = "--small-input", negatable = true, description = "small-input stem (default: on when the input "
            + "side is at most 64)")
    Boolean smallInput;

    @Option(names = "--aux", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "build the auxiliary classifiers (default: on)")
    boolean aux;

    @Option(names = "--dropout", description = "dropout before the classifier (default: the variant's)")
    Float dropout;

    // ---------------------------------------------------------------- recipe
    @Option(names = "--epochs", defaultValue = "3", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.1", description = "learning rate (peak for onecycle; default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "paper (×0.96 every 8 epochs), step, cosine, onecycle or constant (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--step-epochs", defaultValue = "30", description = "period of the step schedule (default: ${DEFAULT-VALUE})")
    int stepEpochs;

    @Option(names = "--step-gamma", defaultValue = "0.1", description = "factor of the step schedule (default: ${DEFAULT-VALUE})")
    double stepGamma;

    @Option(names = "--min-lr", defaultValue = "0", description = "floor of the cosine schedule (default: ${DEFAULT-VALUE})")
    double minLr;

    @Option(names = "--warmup-epochs", defaultValue = "0", description = "linear warmup, in epochs (default: ${DEFAULT-VALUE})")
    double warmupEpochs;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--nesterov", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Nesterov momentum (default: on)")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "weight decay (default: ${DEFAULT-VALUE})")
    float weightDecay;

    @Option(names = "--decay-bias-and-bn", description = "apply weight decay to biases and BatchNorm too (default: weights only)")
    boolean decayAll;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "label smoothing ε (default: ${DEFAULT-VALUE})")
    float labelSmoothing;

    @Option(names = "--aux-weight", defaultValue = "0.3", description = "weight of each aux loss (default: ${DEFAULT-VALUE})")
    float auxWeight;

    @Option(names = "--ema", defaultValue = "0.999", description = "Polyak averaging decay per step; 0 = off "
            + "(default: ${DEFAULT-VALUE}); validation and eval use the average")
    double ema;

    @Option(names = "--seed", defaultValue = "0", description = "seed of weights, split, order, augmentation, "
            + "dropout (default: ${DEFAULT-VALUE})")
    long seed;

    // ---------------------------------------------------------------- data
    @Option(names = "--augment", description = "comma-separated: crop-pad, flip, rsc (random-sized crop), photometric,"
            + " erase (random erasing, after normalization); or none (default: crop-pad,flip for IDX sets, "
            + "rsc,flip,photometric for folders)")
    String augment;

    @Option(names = "--pad", defaultValue = "2", description = "padding of crop-pad (default: ${DEFAULT-VALUE})")
    int pad;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "share of the training set held out for "
            + "validation (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--monitor-test", description = "also evaluate the dataset's test split after every epoch and "
            + "record it (test_top1 and elapsed_seconds in the metrics: accuracy against wall time; training never "
            + "looks at it)")
    boolean monitorTest;

    @Option(names = "--test-mirror", description = "with --monitor-test, also record test top-1 with test-time "
            + "mirroring (test_top1_mirror: each image's softmax averaged with its mirror image's, as the paper's "
            + "multi-crop testing does)")
    boolean testMirror;

    @Option(names = "--limit", defaultValue = "0", description = "train on this many random examples (0 = all)")
    int limit;

    @Option(names = "--workers", defaultValue = "1", description = "data threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--prefetch", defaultValue = "4", description = "batches prepared ahead (default: ${DEFAULT-VALUE})")
    int prefetch;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "live progress bar (default: on when the output is a terminal)")
    boolean progress;

    @Option(names = "--plot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "draw curves.png after every epoch (default: on)")
    boolean plot;

    @Override
    public Integer call() throws IOException {
        PrintStream stdout = System.out;
        Path runFolder = out != null ? out : Path.of("runs", Path.of(dataset).getFileName().toString());
        GoogLeNetConfig modelConfig;
        TrainingConfig recipe;
        DataRecipe dataRecipe;
        if (resume) {
            JsonNode ck = Checkpoints.readCheckpoint(runFolder);
            modelConfig = Checkpoints.modelConfigFromJson(ck.get("model"));
            recipe = TrainingConfig.fromJson(ck.get("training"));
            if (given("--epochs")) {
                recipe = recipe.toBuilder().epochs(epochs).build();
            }
            dataRecipe = DataRecipe.fromJson(ck.get("data"));
            if (data != null) { // the files may have moved
                dataRecipe = new DataRecipe(dataRecipe.dataset(), data, dataRecipe.valFraction(), dataRecipe.limit(),
                        dataRecipe.size(), dataRecipe.augment(), dataRecipe.padding(), dataRecipe.seed());
            }
            stdout.println("resuming " + runFolder + " after epoch " + ck.get("epoch").asInt() + " of "
                    + recipe.epochs());
        } else {
            if (Files.isRegularFile(runFolder.resolve(Checkpoints.JSON))) {
                throw new IOException(runFolder + " already holds a run: pass --resume to continue it, or another "
                        + "--out");
            }
            KnownDataset known = KnownDataset.byName(dataset);
            Path dataPath = data;
            if (known != null && data == null && download) {
                try {
                    known.locate(null);
                } catch (IOException notFound) {
                    stdout.println("downloading " + known.folderName() + " to " + known.cacheFolder());
                    dataPath = known.download(known.defaultDownloadBase(), known.cacheFolder());
                }
            }
            String aug = augment != null ? augment : known != null ? "crop-pad,flip" : "rsc,flip,photometric";
            dataRecipe = new DataRecipe(known != null ? known.folderName() : dataset, dataPath, valFraction, limit,
                    size == null ? 0 : size, DataRecipe.parseAugment(aug), pad, seed);
            recipe = TrainingConfig.builder().epochs(epochs).batchSize(batch).learningRate(lr)
                    .schedule(ScheduleKind.parse(schedule)).stepEpochs(stepEpochs).stepGamma(stepGamma)
                    .minLearningRate(minLr).warmupEpochs(warmupEpochs).momentum(momentum).nesterov(nesterov)
                    .weightDecay(weightDecay).decayBiasAndNorm(decayAll).labelSmoothing(labelSmoothing)
                    .auxWeight(auxWeight).emaDecay(ema).seed(seed).freeze(freeze).backboneLrMult(backboneLrMult)
                    .build();
            modelConfig = null; // needs the data's channels and classes
        }
        LoadedModel source = null;
        Preprocess sourcePreprocess = null;
        if (init != null && !resume) {
            source = FineTuneSource.load(init, variant);
            sourcePreprocess = source.preprocess();
        } else if (resume && initializedFrom(runFolder) != null) { // a fine-tuning run's pipeline: its source's
            sourcePreprocess = Preprocess.fromMetadata(preprocessOf(runFolder));
        }
        DataRecipe.Prepared prepared = dataRecipe.prepare(new dev.googlenet.data.PillowFileDecoder(), sourcePreprocess);
        GoogLeNet model;
        if (source != null) {
            if (source.inputChannels() != prepared.channels()) {
                throw new IllegalArgumentException(init + ": the model takes " + source.inputChannels()
                        + " input channel(s), the data has " + prepared.channels());
            }
            model = FineTuning.fromPretrained(source, prepared.classes().size(), aux, seed);
            modelConfig = model.config();
            stdout.printf(Locale.ROOT, "init: %s; new classifier for %d classes %s, aux heads %s%n",
                    source.description(), prepared.classes().size(), prepared.classes(), aux ? "new" : "off");
        } else {
            model = null;
        }
        if (modelConfig == null) {
            GoogLeNetConfig.Builder b = GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                    .optNumClasses(prepared.classes().size()).optAuxHeads(aux).optSeed(seed)
                    .optInputChannels(prepared.channels()).optWidth(width)
                    .optSmallInput(smallInput != null ? smallInput : prepared.size() <= 64);
            if (dropout != null) {
                b.optDropout(dropout);
            }
            modelConfig = b.build();
        }
        if (model == null) {
            model = new GoogLeNet(modelConfig);
        }
        writeSkipped(runFolder, prepared, stdout);
        DataLoader testLoader = null;
        TableOne table = new TableOne(model, prepared.size());
        stdout.printf(Locale.ROOT, "data: %s%n", prepared.description());
        stdout.printf(Locale.ROOT, "model: %s, %s, width %s, %d input channel(s), %,d parameters (+%,d in aux "
                        + "heads), %s multiply-adds per image%n", modelConfig.variant().name().toLowerCase(Locale.ROOT),
                modelConfig.smallInput() ? "small-input stem" : "ImageNet stem", modelConfig.width(),
                modelConfig.inputChannels(), table.totalParams(), table.auxParams(), human(table.totalOps()));
        stdout.printf(Locale.ROOT, "recipe: %s%n", recipe.toJson());

        try (DataLoader train = DataLoader.builder(prepared.train()).batchSize(recipe.batchSize()).shuffle(true)
                .dropLast(prepared.train().size() > recipe.batchSize()).transform(prepared.trainTransform())
                .seed(recipe.seed()).workers(workers).prefetch(prefetch).build();
             DataLoader val = prepared.validation() == null ? null : DataLoader.builder(prepared.validation())
                     .batchSize(Math.max(recipe.batchSize(), 256)).shuffle(false)
                     .transform(prepared.evalTransform()).workers(workers).prefetch(prefetch).build()) {
            var description = dataRecipe.toJson();
            String initFrom = init != null ? init.toString() : resume ? initializedFrom(runFolder) : null;
            if (initFrom != null) {
                description.put("init", initFrom);
            }
            Trainer trainer = new Trainer(model, recipe, train, val, runFolder)
                    .preprocess(prepared.preprocess()).dataDescription(description);
            boolean cacheable = recipe.freeze().equals(TrainingConfig.FREEZE_BACKBONE)
                    && dataRecipe.augment().isEmpty() && (!modelConfig.auxHeads() || recipe.auxWeight() == 0);
            if (Boolean.TRUE.equals(cacheFeatures) || (cacheFeatures == null && cacheable)) {
                if (!dataRecipe.augment().isEmpty()) {
                    throw new IllegalArgumentException("--cache-features needs --augment none: random augmentation "
                            + "gives other features every epoch");
                }
                trainer.cacheFeatures();
                stdout.println("training the classifier on cached features (the frozen backbone runs once)");
            } else if (recipe.freeze().equals(TrainingConfig.FREEZE_BACKBONE) && cacheFeatures == null) {
                stdout.println("note: with --augment none and --no-aux the classifier would train on cached features");
            }
            if (testMirror && !monitorTest) {
                throw new IllegalArgumentException("--test-mirror goes with --monitor-test");
            }
            if (monitorTest) {
                if (prepared.test() == null) {
                    throw new IllegalArgumentException("--monitor-test needs a dataset with a test split "
                            + "(fashion-mnist, mnist); an image folder has none");
                }
                testLoader = DataLoader.builder(prepared.test()).batchSize(Math.max(recipe.batchSize(), 256))
                        .shuffle(false).transform(prepared.evalTransform()).workers(workers).prefetch(prefetch)
                        .build();
                trainer.monitorTest(testLoader, testMirror);
            }
            trainer.addListener(new ProgressListener(stdout, progress && System.console() != null
                    && System.console().isTerminal()));
            if (plot) {
                trainer.addListener(new CurvesPlot(System.err));
            }
            if (resume && !trainer.resume()) {
                throw new IOException(runFolder + ": no checkpoint to resume");
            }
            Thread hook = new Thread(() -> stdout.println("\ninterrupted: the last completed epoch's checkpoint in "
                    + runFolder + " is kept; continue with --resume --out " + runFolder));
            Runtime.getRuntime().addShutdownHook(hook);
            List<EpochMetrics> history;
            try {
                history = trainer.fit();
            } finally {
                Runtime.getRuntime().removeShutdownHook(hook);
                if (testLoader != null) {
                    testLoader.close();
                }
            }
            if (history.isEmpty()) {
                stdout.println("nothing to do: the run already has " + recipe.epochs() + " epochs");
            } else {
                stdout.printf(Locale.ROOT, "done: %d epochs; checkpoint %s, metrics %s%n", history.size(),
                        runFolder.resolve(Checkpoints.JSON), runFolder.resolve(Trainer.METRICS_CSV));
            }
        }
        return 0;
    }

    /** The model the run in {@code runFolder} started from, or null when it started from scratch. */
    private static String initializedFrom(Path runFolder) throws IOException {
        JsonNode init = Checkpoints.readCheckpoint(runFolder).path("data").get("init");
        return init == null ? null : init.asText();
    }

    private static java.util.Map<String, String> preprocessOf(Path runFolder) throws IOException {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        Checkpoints.readCheckpoint(runFolder).path("preprocess").fields()
                .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** Lists the files left out as unreadable in the run folder ({@value #SKIPPED}), and says so. */
    private static void writeSkipped(Path runFolder, DataRecipe.Prepared prepared, PrintStream out)
            throws IOException {
        if (prepared.skipped().isEmpty()) {
            return;
        }
        Files.createDirectories(runFolder);
        StringBuilder list = new StringBuilder("# unreadable files left out of training: file<TAB>reason\n");
        prepared.skipped().forEach(s -> list.append(s.file()).append('\t').append(s.reason()).append('\n'));
        Checkpoints.writeAtomically(runFolder.resolve(SKIPPED), list.toString());
        out.printf(Locale.ROOT, "skipped %d unreadable file(s), listed in %s%n", prepared.skipped().size(),
                runFolder.resolve(SKIPPED));
    }

    static final String SKIPPED = "skipped-images.txt";

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    static String human(long v) {
        return v >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2fG", v / 1e9)
                : String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
}
