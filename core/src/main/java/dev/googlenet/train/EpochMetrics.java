package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * One epoch of training: the mean training losses (total and per head, NaN for absent aux heads), training
 * top-1/top-5 measured on the augmented batches as they were trained, validation loss and accuracy (NaN without a
 * validation set; measured with the averaged weights when Polyak averaging is on), the learning rate of the
 * epoch's last step, and timings.
 *
 * @param epoch          1-based
 * @param valWeights     "ema" or "raw": which weights the validation used
 * @param dataWaitSeconds time the training loop waited for the loader (0 when prefetching keeps ahead)
 * @param testLoss       the test split's loss and accuracy after this epoch, with the same weights as validation,
 *                       when the run monitors it (time-to-accuracy curves; NaN otherwise). Nothing in training
 *                       looks at it.
 * @param elapsedSeconds wall time since the run started, up to the end of this epoch's evaluations
 * @param testTop1Mirror test top-1 with test-time mirroring (each image's softmax averaged with its mirror
 *                       image's), when the run monitors it (NaN otherwise)
 */
public record EpochMetrics(int epoch, double learningRate, double trainLoss, double trainLossMain,
                           double trainLossAux1, double trainLossAux2, double trainTop1, double trainTop5,
                           double valLoss, double valTop1, double valTop5, String valWeights, double seconds,
                           double imagesPerSecond, double dataWaitSeconds, double testLoss, double testTop1,
                           double testTop5, double elapsedSeconds, double testTop1Mirror) {

    /** Column names of the CSV file, in order. */
    public static final List<String> COLUMNS = List.of("epoch", "lr", "train_loss", "train_loss_main",
            "train_loss_aux1", "train_loss_aux2", "train_top1", "train_top5", "val_loss", "val_top1", "val_top5",
            "val_weights", "seconds", "images_per_second", "data_wait_seconds", "test_loss", "test_top1",
            "test_top5", "elapsed_seconds", "test_top1_mirror");

    public String csvRow() {
        return String.join(",", Integer.toString(epoch), num(learningRate), num(trainLoss), num(trainLossMain),
                num(trainLossAux1), num(trainLossAux2), num(trainTop1), num(trainTop5), num(valLoss), num(valTop1),
                num(valTop5), valWeights, num(seconds), num(imagesPerSecond), num(dataWaitSeconds), num(testLoss),
                num(testTop1), num(testTop5), num(elapsedSeconds), num(testTop1Mirror));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("epoch", epoch);
        put(o, "lr", learningRate);
        put(o, "train_loss", trainLoss);
        put(o, "train_loss_main", trainLossMain);
        put(o, "train_loss_aux1", trainLossAux1);
        put(o, "train_loss_aux2", trainLossAux2);
        put(o, "train_top1", trainTop1);
        put(o, "train_top5", trainTop5);
        put(o, "val_loss", valLoss);
        put(o, "val_top1", valTop1);
        put(o, "val_top5", valTop5);
        o.put("val_weights", valWeights);
        put(o, "seconds", seconds);
        put(o, "images_per_second", imagesPerSecond);
        put(o, "data_wait_seconds", dataWaitSeconds);
        put(o, "test_loss", testLoss);
        put(o, "test_top1", testTop1);
        put(o, "test_top5", testTop5);
        put(o, "elapsed_seconds", elapsedSeconds);
        put(o, "test_top1_mirror", testTop1Mirror);
        return o;
    }

    private static void put(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    public static EpochMetrics fromJson(JsonNode o) {
        return new EpochMetrics(o.get("epoch").asInt(), get(o, "lr"), get(o, "train_loss"), get(o, "train_loss_main"),
                get(o, "train_loss_aux1"), get(o, "train_loss_aux2"), get(o, "train_top1"), get(o, "train_top5"),
                get(o, "val_loss"), get(o, "val_top1"), get(o, "val_top5"), o.path("val_weights").asText("raw"),
                get(o, "seconds"), get(o, "images_per_second"), get(o, "data_wait_seconds"), get(o, "test_loss"),
                get(o, "test_top1"), get(o, "test_top5"), get(o, "elapsed_seconds"), get(o, "test_top1_mirror"));
    }

    private static double get(JsonNode o, String k) {
        JsonNode v = o.get(k);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
