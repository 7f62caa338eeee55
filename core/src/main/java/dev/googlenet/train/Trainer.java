package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Preprocess;
import dev.googlenet.io.AtomicWrite;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.AuxHead;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Trains a {@link GoogLeNet}: SGD on the paper's loss (main + aux-weighted auxiliary losses, optional label
 * smoothing), a per-step learning-rate schedule, optional Polyak averaging, validation after every epoch, metrics
 * in {@code metrics.csv} / {@code metrics.json}, and a checkpoint after every epoch (see {@link Checkpoints}).
 *
 * <p><b>Exact resumption.</b> Everything random is derived from the recipe's seed and the epoch number: the
 * loader's order and augmentation (see {@link DataLoader}) and the dropout masks (every dropout layer is reseeded
 * at the start of each epoch). A checkpoint holds the weights, BatchNorm statistics, momentum buffers, the average
 * and the step counter, so {@link #resume()} followed by {@link #fit()} ends with the same weights, bit for bit, as
 * a run that never stopped (given deterministic kernels, which ours are).
 *
 * <p><b>Divergence.</b> A NaN or infinite loss stops training with a {@link TrainingDivergedException} before the
 * step is applied; no checkpoint is written for that epoch, so the last good one stays.
 */
public final class Trainer {
    public static final String METRICS_CSV = "metrics.csv";
    public static final String METRICS_JSON = "metrics.json";
    /** A tensor file of some epoch's checkpoint, by the names {@link #writeCheckpoint} gives them. */
    private static final Pattern EPOCH_FILE = Pattern.compile("(weights|ema|optimizer)-epoch\\d+\\.safetensors");

    private final GoogLeNet model;
    private final TrainingConfig config;
    private final DataLoader train;
    private final DataLoader validation;
    private final Path runFolder;
    private final Sgd sgd;
    private final Ema ema;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<EpochMetrics> history = new ArrayList<>();
    private DataLoader test;
    private boolean testMirror;
    private GoogLeNet evalModel;
    private List<String> classes;
    private Preprocess preprocess;
    private ObjectNode data = JsonNodeFactory.instance.objectNode();
    private int completedEpochs;
    private long step;
    private volatile boolean stopRequested;
    private boolean cacheFeatures;
    private FeatureCache featureCache;
    private double cacheSeconds;

    /**
     * @param validation evaluated after each epoch; null for none
     * @param runFolder  where checkpoints and metrics go (created when missing)
     */
    public Trainer(GoogLeNet model, TrainingConfig config, DataLoader train, DataLoader validation, Path runFolder) {
        this.model = Objects.requireNonNull(model, "model");
        this.config = Objects.requireNonNull(config, "config");
        this.train = Objects.requireNonNull(train, "train");
        this.validation = validation;
        this.runFolder = Objects.requireNonNull(runFolder, "runFolder");
        if (train.batchSize() != config.batchSize()) {
            throw new IllegalArgumentException("the training loader's batch size " + train.batchSize()
                    + " differs from the recipe's " + config.batchSize());
        }
        int k = model.config().numClasses();
        if (train.dataset().classes().size() != k) {
            throw new IllegalArgumentException("the model has " + k + " classes, " + train.dataset().describe()
                    + " has " + train.dataset().classes().size());
        }
        this.classes = train.dataset().classes();
        model.freezeThrough(config.frozenStage());
        // frozen parameters are not the optimizer's: weight decay and momentum cannot move them either
        this.sgd = new Sgd(model.trainableParameters(), (float) config.learningRate(), config.momentum(),
                config.weightDecay(), config.nesterov(), config.decayBiasAndNorm() ? p -> true : Sgd.weightsOnly());
        if (config.backboneLrMult() != 1) { // the backbone: the trunk but its classifier (the aux heads are heads)
            model.trunk().visitState("", (name, p) -> {
                if (!name.startsWith("fc.") && sgd.params().contains(p)) {
                    sgd.setLearningRateFactor(p, (float) config.backboneLrMult());
                }
            });
        }
        this.ema = config.emaDecay() > 0 ? new Ema(model, config.emaDecay(), true) : null;
    }

    public Trainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Preprocessing written into the weight files' metadata (how images become this model's input). */
    public Trainer preprocess(Preprocess preprocess) {
        this.preprocess = preprocess;
        return this;
    }

    /**
     * A held-out test split to evaluate after every epoch, only to record accuracy against time (the
     * {@code test_*} metrics); training never looks at it.
     */
    public Trainer monitorTest(DataLoader test) {
        return monitorTest(test, false);
    }

    /** As {@link #monitorTest(DataLoader)}; {@code mirror} also records top-1 with test-time mirroring. */
    public Trainer monitorTest(DataLoader test, boolean mirror) {
        this.test = test;
        this.testMirror = mirror;
        return this;
    }

    /**
     * Trains the head on features computed once ({@link FeatureCache}) instead of running the frozen backbone
     * every step. Needs the recipe to freeze everything up to the features ({@code freeze backbone}), no aux
     * heads (or aux weight 0: they read maps inside the backbone), and a training transform without randomness
     * (the caller's promise: each example's features are computed once).
     */
    public Trainer cacheFeatures() {
        List<String> frozenEnough = List.of(dev.googlenet.model.Taps.FEATURES, "dropout");
        if (!frozenEnough.contains(config.frozenStage())) {
            throw new IllegalArgumentException("feature caching needs the backbone frozen through the features "
                    + "(freeze backbone), not '" + config.freeze() + "'");
        }
        if (!model.auxHeads().isEmpty() && config.auxWeight() != 0) {
            throw new IllegalArgumentException("feature caching trains the classifier alone: build the model "
                    + "without aux heads (or set the aux weight to 0)");
        }
        cacheFeatures = true;
        return this;
    }

    /** Seconds spent computing the feature cache (0 without one). */
    public double featureCacheSeconds() {
        return cacheSeconds;
    }

    /** Free-form description of the data (dataset, split, augmentation) kept in the checkpoint for resuming. */
    public Trainer dataDescription(ObjectNode data) {
        this.data = data.deepCopy();
        return this;
    }

    public GoogLeNet model() {
        return model;
    }

    public Sgd optimizer() {
        return sgd;
    }

    /** The Polyak average, or null when off. */
    public Ema ema() {
        return ema;
    }

    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    public int completedEpochs() {
        return completedEpochs;
    }

    public long step() {
        return step;
    }

    public Path runFolder() {
        return runFolder;
    }

    /** Asks {@link #fit()} to return after the current epoch (which is checkpointed as usual). Thread-safe. */
    public void requestStop() {
        stopRequested = true;
    }

    /** The model evaluation uses: the Polyak average when on, the trained weights otherwise. */
    public GoogLeNet evaluationModel() {
        if (ema == null) {
            return model;
        }
        if (evalModel == null) {
            evalModel = new GoogLeNet(model.config());
        }
        ema.copyTo(evalModel);
        return evalModel;
    }

    /** Runs the remaining epochs; returns the history of all epochs (resumed ones included). */
    public List<EpochMetrics> fit() throws IOException {
        AtomicWrite.createFolder(runFolder);
        AtomicWrite.removeStale(runFolder); // a killed run's half-written files
        stopRequested = false;
        int stepsPerEpoch = train.batchesPerEpoch();
        LearningRateSchedule rates = config.learningRates(stepsPerEpoch);
        if (cacheFeatures && featureCache == null && completedEpochs < config.epochs()) {
            long t0 = System.nanoTime();
            // the frozen backbone in eval mode, as every step would run it
            featureCache = FeatureCache.compute(dev.googlenet.plan.InferencePlan.compile(model), train);
            cacheSeconds = (System.nanoTime() - t0) / 1e9;
        }
        for (int e = completedEpochs; e < config.epochs() && !stopRequested; e++) {
            runEpoch(e, rates, stepsPerEpoch);
        }
        return history();
    }

    private void runEpoch(int e, LearningRateSchedule rates, int stepsPerEpoch) throws IOException {
        reseedDropout(e);
        int epoch = e + 1;
        for (TrainingListener l : listeners) {
            l.epochStarted(epoch, config.epochs(), stepsPerEpoch, train.examplesPerEpoch());
        }
        long t0 = System.nanoTime();
        double lossSum = 0, mainSum = 0, aux1Sum = 0, aux2Sum = 0;
        long top1 = 0, top5 = 0;
        int seen = 0, batchNo = 0;
        float lr = 0;
        long waitNanos;
        try (DataLoader.Epoch batches = featureCache == null ? train.epoch(e) : null) {
            for (DataLoader.Batch b : featureCache == null ? batches : featureCache.epoch(e)) {
                lr = (float) rates.at(step);
                sgd.setLearningRate(lr);
                sgd.zeroGrad();
                Outputs out = featureCache == null ? model.forwardTrain(b.images())
                        : model.forwardTrainFrom(dev.googlenet.model.Taps.FEATURES, b.images());
                GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, b.labels(), config.auxWeight(),
                        config.labelSmoothing());
                if (!Float.isFinite(loss.total())) {
                    throw diverged(loss.total(), epoch, batchNo + 1, lr);
                }
                model.backward(loss.gradients(), false);
                sgd.step();
                if (ema != null) {
                    ema.update(model);
                }
                step++;
                batchNo++;
                int n = b.size();
                seen += n;
                lossSum += (double) loss.total() * n;
                mainSum += (double) loss.main() * n;
                aux1Sum += (double) loss.aux1() * n;
                aux2Sum += (double) loss.aux2() * n;
                top1 += Accuracy.hits(out.main(), b.labels(), 1);
                top5 += Accuracy.hits(out.main(), b.labels(), 5);
                double seconds = (System.nanoTime() - t0) / 1e9;
                var progress = new TrainingListener.Progress(epoch, config.epochs(), batchNo, stepsPerEpoch, seen,
                        train.examplesPerEpoch(), lossSum / seen, lr, seen / seconds, seconds);
                for (TrainingListener l : listeners) {
                    l.stepFinished(progress);
                }
            }
            waitNanos = batches == null ? 0 : batches.waitNanos();
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        EvalResult val = null;
        if (validation != null) {
            for (TrainingListener l : listeners) {
                l.validating(epoch, validation.dataset().size());
            }
            val = Evaluator.evaluate(evaluationModel(), validation);
        }
        EvalResult tested = null;
        Evaluator.Views testViews = null;
        if (test != null) {
            for (TrainingListener l : listeners) {
                l.validating(epoch, test.dataset().size());
            }
            testViews = Evaluator.evaluate(evaluationModel(), test,
                    testMirror ? TestView.mirrored() : List.of(TestView.IDENTITY), new float[0], n -> { });
            tested = testViews.single();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double elapsed = (history.isEmpty() ? 0 : history.getLast().elapsedSeconds()) + seconds;
        EpochMetrics m = new EpochMetrics(epoch, lr, lossSum / seen, mainSum / seen, aux1Sum / seen, aux2Sum / seen,
                (double) top1 / seen, (double) top5 / seen, val == null ? Double.NaN : val.loss(),
                val == null ? Double.NaN : val.top1(), val == null ? Double.NaN : val.top5(),
                ema != null ? "ema" : "raw", seconds, seen / trainSeconds, waitNanos / 1e9,
                tested == null ? Double.NaN : tested.loss(), tested == null ? Double.NaN : tested.top1(),
                tested == null ? Double.NaN : tested.top5(), elapsed,
                testViews == null || testViews.averaged() == null ? Double.NaN : testViews.averaged().top1());
        history.add(m);
        completedEpochs = epoch;
        writeCheckpoint(lr);
        writeMetrics();
        for (TrainingListener l : listeners) {
            l.epochFinished(m, history(), runFolder);
        }
    }

    private TrainingDivergedException diverged(float loss, int epoch, int batch, float lr) {
        String kept = completedEpochs == 0 ? "no checkpoint had been written yet"
                : "the last good checkpoint (epoch " + completedEpochs + ") is kept in "
                + runFolder.resolve(Checkpoints.JSON);
        return new TrainingDivergedException(String.format(Locale.ROOT,
                "loss became %s at epoch %d, batch %d (step %d, learning rate %.4g): training stopped; %s. "
                        + "Try a lower learning rate or a warmup.", Float.isNaN(loss) ? "NaN" : "infinite", epoch,
                batch, step, lr, kept), epoch, step, completedEpochs);
    }

    /** Every dropout layer restarts from a seed of (recipe seed, epoch, layer), so epochs replay exactly. */
    private void reseedDropout(int epoch) {
        List<Dropout> layers = new ArrayList<>();
        collectDropout(model.trunk(), layers);
        for (AuxHead h : model.auxHeads()) {
            collectDropout(h.layers(), layers);
        }
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).reseed(DataLoader.exampleSeed(config.seed() ^ 0x6A09E667F3BCC908L, epoch, i));
        }
    }

    private static void collectDropout(dev.googlenet.nn.Sequential seq, List<Dropout> out) {
        for (Layer l : seq.layers()) {
            if (l instanceof Dropout d) {
                out.add(d);
            } else if (l instanceof dev.googlenet.nn.Sequential s) {
                collectDropout(s, out);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    private void writeCheckpoint(float lr) throws IOException {
        String tag = String.format(Locale.ROOT, "epoch%03d", completedEpochs);
        GoogLeNetConfig mc = model.config();
        String weights = "weights-" + tag + ".safetensors";
        StateDicts.save(runFolder.resolve(weights), model,
                Checkpoints.weightsMetadata(mc, classes, preprocess, "raw", completedEpochs));
        written(weights);
        String emaFile = null;
        if (ema != null) {
            emaFile = "ema-" + tag + ".safetensors";
            Safetensors.write(runFolder.resolve(emaFile), ema.stateDict(),
                    Checkpoints.weightsMetadata(mc, classes, preprocess, "ema", completedEpochs));
            written(emaFile);
        }
        String optimizer = "optimizer-" + tag + ".safetensors";
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        for (var e : model.namedParameters().entrySet()) {
            float[] buf = sgd.momentumBuffer(e.getValue());
            if (buf != null) {
                buffers.put(e.getKey(), Tensor.of(buf.clone(), e.getValue().value().shape()));
            }
        }
        Safetensors.write(runFolder.resolve(optimizer), buffers, Map.of("googlenet.optimizer", "sgd momentum"));
        written(optimizer);

        ObjectNode ck = JsonNodeFactory.instance.objectNode();
        ck.put("format", Checkpoints.FORMAT);
        ck.put("version", Checkpoint.VERSION);
        ck.put("written", Instant.now().toString());
        ck.put("epoch", completedEpochs);
        ck.put("step", step);
        ck.set("model", Checkpoints.modelConfigToJson(mc));
        ck.set("training", config.toJson());
        ck.set("data", data);
        ArrayNode names = ck.putArray("classes");
        classes.forEach(names::add);
        if (preprocess != null) {
            ObjectNode p = ck.putObject("preprocess");
            preprocess.toMetadata().forEach(p::put);
        }
        ObjectNode rng = ck.putObject("rng");
        rng.put("seed", config.seed());
        rng.put("data_seed", train.seed());
        rng.put("next_epoch", completedEpochs);
        rng.put("scheme", "stateless: data order, augmentation and dropout masks are derived from (seed, epoch), "
                + "dropout reseeded at every epoch start");
        ObjectNode opt = ck.putObject("optimizer");
        opt.put("type", "sgd");
        opt.put("learning_rate", lr);
        opt.put("momentum", sgd.momentum());
        opt.put("nesterov", sgd.nesterov());
        opt.put("weight_decay", sgd.weightDecay());
        opt.put("momentum_buffers", optimizer);
        if (ema != null) {
            ObjectNode em = ck.putObject("ema");
            em.put("decay", ema.decay());
            em.put("warmup", ema.warmup());
            em.put("updates", ema.updates());
        } else {
            ck.putNull("ema");
        }
        ObjectNode files = ck.putObject("files");
        files.put("weights", weights);
        if (emaFile != null) {
            files.put("ema", emaFile);
        } else {
            files.putNull("ema");
        }
        files.put("optimizer", optimizer);
        List<String> tensorFiles = emaFile == null ? List.of(weights, optimizer) : List.of(weights, optimizer, emaFile);
        ObjectNode checksums = ck.putObject("checksums");
        for (String f : tensorFiles) {
            checksums.set(f, CheckpointFiles.record(runFolder.resolve(f)));
        }
        ArrayNode hist = ck.putArray("history");
        history.forEach(m -> hist.add(m.toJson()));
        Checkpoints.writeJsonAtomically(runFolder.resolve(Checkpoints.JSON), ck);
        written(Checkpoints.JSON);

        pruneOtherEpochs(tensorFiles);
    }

    /**
     * Deletes the tensor files of every epoch but the committed one: the previous epoch's, and those a run killed
     * before or after its commit left behind. Called only once checkpoint.json names {@code keep}.
     */
    private void pruneOtherEpochs(List<String> keep) throws IOException {
        try (var files = Files.list(runFolder)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (EPOCH_FILE.matcher(name).matches() && !keep.contains(name)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private void writeMetrics() throws IOException {
        StringBuilder csv = new StringBuilder(String.join(",", EpochMetrics.COLUMNS)).append('\n');
        ArrayNode json = JsonNodeFactory.instance.arrayNode();
        for (EpochMetrics m : history) {
            csv.append(m.csvRow()).append('\n');
            json.add(m.toJson());
        }
        Checkpoints.writeAtomically(runFolder.resolve(METRICS_CSV), csv.toString());
        written(METRICS_CSV);
        Checkpoints.writeJsonAtomically(runFolder.resolve(METRICS_JSON), json);
        written(METRICS_JSON);
    }

    private void written(String name) {
        for (TrainingListener l : listeners) {
            l.fileWritten(runFolder.resolve(name));
        }
    }

    /**
     * Continues from the run folder's checkpoint when there is one: weights, BatchNorm statistics, momentum
     * buffers, the average, step, epoch and history. The model configuration and the recipe must be the ones the
     * checkpoint was written with, except the number of epochs (which may grow). Returns false when the folder
     * has no checkpoint (a fresh start).
     */
    public boolean resume() throws IOException {
        Path file = runFolder.resolve(Checkpoints.JSON);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        AtomicWrite.removeStale(runFolder);
        Checkpoint ck = Checkpoint.read(file);
        ck.verify();
        GoogLeNetConfig saved = ck.model();
        if (!saved.equals(model.config())) {
            throw new IOException(file + ": the checkpoint's model " + saved + " is not this run's "
                    + model.config());
        }
        TrainingConfig recipe = TrainingConfig.fromJson(ck.json().get("training"));
        List<String> changed = recipe.toBuilder().epochs(config.epochs()).build().differences(config);
        if (!changed.isEmpty()) {
            throw new IOException(file + ": resuming continues the same recipe (only epochs may change); changed: "
                    + String.join(", ", changed));
        }
        long dataSeed = ck.json().get("rng").get("data_seed").asLong();
        if (dataSeed != train.seed()) {
            throw new IOException(file + ": the checkpoint's data seed " + dataSeed + " is not this loader's "
                    + train.seed());
        }
        StateDicts.load(runFolder.resolve(ck.weights()), model);
        restoreMomentum(runFolder.resolve(ck.optimizer()), ck.step());
        if (ema != null) {
            if (ck.ema() == null) {
                throw new IOException(file + ": the checkpoint has no Polyak average");
            }
            ema.restore(StateDicts.tensors(Safetensors.read(runFolder.resolve(ck.ema()))),
                    ck.json().get("ema").get("updates").asLong());
        }
        history.clear();
        for (JsonNode m : ck.json().get("history")) {
            history.add(EpochMetrics.fromJson(m));
        }
        completedEpochs = ck.epoch();
        step = ck.step();
        // a run killed between its commit and its metrics left them an epoch behind; files of other epochs go
        writeMetrics();
        pruneOtherEpochs(ck.files());
        return true;
    }

    /**
     * Sets every parameter's momentum buffer from the optimizer file. After a step with momentum every
     * parameter has one, so a missing or misshapen buffer is an error: training on without it would silently
     * differ from the run that wrote the checkpoint.
     */
    private void restoreMomentum(Path file, long steps) throws IOException {
        SafetensorsFile buffers = Safetensors.read(file);
        boolean expected = sgd.momentum() != 0 && steps > 0;
        java.util.Set<Param> trained = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        trained.addAll(sgd.params());
        for (var e : model.namedParameters().entrySet()) {
            Param p = e.getValue();
            if (!trained.contains(p)) {
                continue;
            }
            if (!buffers.contains(e.getKey())) {
                if (expected) {
                    throw new IOException(file + ": no momentum buffer for parameter " + e.getKey()
                            + " (the optimizer state must cover every parameter the optimizer updates)");
                }
                sgd.setMomentumBuffer(p, null);
                continue;
            }
            float[] values = buffers.tensor(e.getKey()).data();
            if (values.length != p.value().size()) {
                throw new IOException(file + ": the momentum buffer of " + e.getKey() + " has " + values.length
                        + " values; the parameter has " + p.value().size());
            }
            sgd.setMomentumBuffer(p, values);
        }
    }
}
