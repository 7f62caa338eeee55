package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training recipe: how long, how large the batches, the optimizer and its schedule, the loss options and
 * Polyak averaging. Built with {@link #builder()}; every option has a default.
 *
 * @param epochs           passes over the training data
 * @param batchSize        examples per step
 * @param learningRate     base (peak, for one-cycle) learning rate
 * @param schedule         learning-rate schedule
 * @param stepEpochs       period of the {@link ScheduleKind#STEP} schedule, in epochs
 * @param stepGamma        factor of the {@link ScheduleKind#STEP} schedule
 * @param minLearningRate  floor of the cosine schedule
 * @param warmupEpochs     linear warmup length in epochs (fractions allowed; 0 = none)
 * @param momentum         SGD momentum
 * @param nesterov         Nesterov momentum
 * @param weightDecay      L2 weight decay
 * @param decayBiasAndNorm whether weight decay also applies to biases and BatchNorm parameters
 * @param labelSmoothing   label smoothing ε of every loss term (0 = none)
 * @param auxWeight        weight of each auxiliary loss (0.3 in the paper; 0 = no gradient into the aux heads)
 * @param emaDecay         Polyak averaging decay per step (0 = off); evaluation then uses the average
 * @param seed             seeds data order, augmentation and dropout masks (per epoch)
 * @param freeze           "none", "backbone" (everything the classifier reads) or a stage name: the trunk is frozen
 *                         up to and including it (see {@link dev.googlenet.model.GoogLeNet#freezeThrough})
 * @param backboneLrMult   factor of the learning rate of the trunk's trainable layers other than the classifier
 *                         (discriminative learning rates for fine-tuning; 1 = the same as the head's)
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, ScheduleKind schedule, int stepEpochs,
                             double stepGamma, double minLearningRate, double warmupEpochs, float momentum,
                             boolean nesterov, float weightDecay, boolean decayBiasAndNorm, float labelSmoothing,
                             float auxWeight, double emaDecay, long seed, String freeze, double backboneLrMult) {
    /** Freezing everything the classifier reads: {@code features}, the pooled vector. */
    public static final String FREEZE_BACKBONE = "backbone";

    public TrainingConfig {
        Objects.requireNonNull(schedule, "schedule");
        freeze = freeze == null || freeze.isBlank() ? "none" : freeze.trim();
        if (!(backboneLrMult > 0)) {
            throw new IllegalArgumentException("backbone learning-rate factor must be positive, got " + backboneLrMult);
        }
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("need epochs ≥ 1 and batch size ≥ 1");
        }
        if (!(learningRate > 0) || !(warmupEpochs >= 0) || stepEpochs < 1 || !(minLearningRate >= 0)) {
            throw new IllegalArgumentException("need a positive learning rate, warmup ≥ 0, step period ≥ 1, "
                    + "minimum learning rate ≥ 0");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (!(auxWeight >= 0)) {
            throw new IllegalArgumentException("aux weight must be ≥ 0, got " + auxWeight);
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + emaDecay);
        }
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("need 0 ≤ momentum < 1 and weight decay ≥ 0");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this recipe's values, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.schedule = schedule;
        b.stepEpochs = stepEpochs;
        b.stepGamma = stepGamma;
        b.minLearningRate = minLearningRate;
        b.warmupEpochs = warmupEpochs;
        b.momentum = momentum;
        b.nesterov = nesterov;
        b.weightDecay = weightDecay;
        b.decayBiasAndNorm = decayBiasAndNorm;
        b.labelSmoothing = labelSmoothing;
        b.auxWeight = auxWeight;
        b.emaDecay = emaDecay;
        b.seed = seed;
        b.freeze = freeze;
        b.backboneLrMult = backboneLrMult;
        return b;
    }

    /** The stage {@link dev.googlenet.model.GoogLeNet#freezeThrough} takes: "backbone" is {@code features}. */
    public String frozenStage() {
        return freeze.equals(FREEZE_BACKBONE) ? dev.googlenet.model.Taps.FEATURES : freeze;
    }

    /** The per-step learning rates of this recipe with {@code stepsPerEpoch} steps per epoch. */
    public LearningRateSchedule learningRates(int stepsPerEpoch) {
        long total = (long) epochs * stepsPerEpoch;
        LearningRateSchedule s = switch (schedule) {
            case PAPER -> LearningRateSchedule.paper(learningRate, stepsPerEpoch);
            case STEP -> LearningRateSchedule.step(learningRate, stepsPerEpoch, stepEpochs, stepGamma);
            case COSINE -> LearningRateSchedule.cosine(learningRate, total, minLearningRate);
            case ONECYCLE -> LearningRateSchedule.oneCycle(learningRate, Math.max(2, total), 0.3, 25, 1e4);
            case CONSTANT -> LearningRateSchedule.constant(learningRate);
        };
        return s.withWarmup(Math.round(warmupEpochs * stepsPerEpoch));
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("epochs", epochs);
        o.put("batch_size", batchSize);
        o.put("learning_rate", learningRate);
        o.put("schedule", schedule.label());
        o.put("step_epochs", stepEpochs);
        o.put("step_gamma", stepGamma);
        o.put("min_learning_rate", minLearningRate);
        o.put("warmup_epochs", warmupEpochs);
        o.put("momentum", momentum);
        o.put("nesterov", nesterov);
        o.put("weight_decay", weightDecay);
        o.put("decay_bias_and_norm", decayBiasAndNorm);
        o.put("label_smoothing", labelSmoothing);
        o.put("aux_weight", auxWeight);
        o.put("ema_decay", emaDecay);
        o.put("seed", seed);
        o.put("freeze", freeze);
        o.put("backbone_lr_mult", backboneLrMult);
        return o;
    }

    public static TrainingConfig fromJson(JsonNode o) {
        return new TrainingConfig(o.get("epochs").asInt(), o.get("batch_size").asInt(),
                o.get("learning_rate").asDouble(), ScheduleKind.parse(o.get("schedule").asText()),
                o.get("step_epochs").asInt(), o.get("step_gamma").asDouble(), o.get("min_learning_rate").asDouble(),
                o.get("warmup_epochs").asDouble(), (float) o.get("momentum").asDouble(),
                o.get("nesterov").asBoolean(), (float) o.get("weight_decay").asDouble(),
                o.get("decay_bias_and_norm").asBoolean(), (float) o.get("label_smoothing").asDouble(),
                (float) o.get("aux_weight").asDouble(), o.get("ema_decay").asDouble(), o.get("seed").asLong(),
                o.path("freeze").asText("none"), o.path("backbone_lr_mult").asDouble(1)); // absent before fine-tuning
    }

    /** Names of the settings (JSON keys) in which {@code other} differs from this recipe. */
    public List<String> differences(TrainingConfig other) {
        List<String> out = new ArrayList<>();
        ObjectNode a = toJson(), b = other.toJson();
        a.fieldNames().forEachRemaining(k -> {
            if (!a.get(k).equals(b.get(k))) {
                out.add(k + " " + a.get(k) + " ≠ " + b.get(k));
            }
        });
        return out;
    }

    public static final class Builder {
        private int epochs = 3;
        private int batchSize = 128;
        private double learningRate = 0.1;
        private ScheduleKind schedule = ScheduleKind.COSINE;
        private int stepEpochs = 30;
        private double stepGamma = 0.1;
        private double minLearningRate = 0;
        private double warmupEpochs = 0;
        private float momentum = 0.9f;
        private boolean nesterov = true;
        private float weightDecay = 5e-4f;
        private boolean decayBiasAndNorm = false;
        private float labelSmoothing = 0f;
        private float auxWeight = GoogLeNetLoss.PAPER_AUX_WEIGHT;
        private double emaDecay = 0;
        private long seed = 0;
        private String freeze = "none";
        private double backboneLrMult = 1;

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder schedule(ScheduleKind v) {
            schedule = v;
            return this;
        }

        public Builder stepEpochs(int v) {
            stepEpochs = v;
            return this;
        }

        public Builder stepGamma(double v) {
            stepGamma = v;
            return this;
        }

        public Builder minLearningRate(double v) {
            minLearningRate = v;
            return this;
        }

        public Builder warmupEpochs(double v) {
            warmupEpochs = v;
            return this;
        }

        public Builder momentum(float v) {
            momentum = v;
            return this;
        }

        public Builder nesterov(boolean v) {
            nesterov = v;
            return this;
        }

        public Builder weightDecay(float v) {
            weightDecay = v;
            return this;
        }

        public Builder decayBiasAndNorm(boolean v) {
            decayBiasAndNorm = v;
            return this;
        }

        public Builder labelSmoothing(float v) {
            labelSmoothing = v;
            return this;
        }

        public Builder auxWeight(float v) {
            auxWeight = v;
            return this;
        }

        public Builder emaDecay(double v) {
            emaDecay = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** "none" (default), "backbone" or a stage name: freeze the trunk up to and including it. */
        public Builder freeze(String v) {
            freeze = v;
            return this;
        }

        /** Factor of the backbone's learning rate (default 1). */
        public Builder backboneLrMult(double v) {
            backboneLrMult = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, learningRate, schedule, stepEpochs, stepGamma,
                    minLearningRate, warmupEpochs, momentum, nesterov, weightDecay, decayBiasAndNorm, labelSmoothing,
                    auxWeight, emaDecay, seed, freeze, backboneLrMult);
        }
    }
}
