package dev.googlenet.data;

import dev.googlenet.io.Limits;
import dev.googlenet.io.OneLine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How images become the tensor a model was trained on: resize the shorter side, center-crop, put channels in
 * order, scale the value range, subtract the mean and divide by the standard deviation (per channel, in the
 * model's channel order). It travels with the model: stored in the metadata of the weights we write, inferred
 * for what we import. Nothing transforms input silently.
 *
 * @param channels   channel order the model expects
 * @param scale      pixel values 0–255 are multiplied by this first (1/255 for [0,1], 1 for 0–255)
 * @param mean       per-channel mean, in the model's channel order and value range
 * @param std        per-channel standard deviation, likewise
 * @param resize     shorter side after resizing (e.g. 256)
 * @param crop       side of the square center crop (e.g. 224)
 */
public record Preprocess(ChannelOrder channels, float scale, float[] mean, float[] std, int resize, int crop) {

    public enum ChannelOrder { RGB, BGR }

    /** torchvision's ImageNet models: RGB in [0,1], normalized with ImageNet's mean and std. */
    public static final Preprocess TORCHVISION = new Preprocess(ChannelOrder.RGB, 1f / 255,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, 256, 224);

    /**
     * torchvision's pretrained GoogLeNet weights: they were trained on inputs re-normalized to mean 0.5 / std 0.5
     * (torchvision's {@code transform_input=True}, which it switches on silently when it loads those weights).
     */
    public static final Preprocess TORCHVISION_GOOGLENET_PRETRAINED = new Preprocess(ChannelOrder.RGB, 1f / 255,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 256, 224);

    /** Caffe's BVLC GoogLeNet and the ONNX model zoo's conversion of it: BGR, 0–255, mean 104/117/123. */
    public static final Preprocess CAFFE = new Preprocess(ChannelOrder.BGR, 1f,
            new float[] {104f, 117f, 123f}, new float[] {1f, 1f, 1f}, 256, 224);

    public Preprocess {
        Objects.requireNonNull(channels, "channels");
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
            }
        }
        if (crop <= 0 || resize < crop || !(scale > 0)) {
            throw new IllegalArgumentException("need 0 < crop <= resize and scale > 0, got resize " + resize
                    + ", crop " + crop + ", scale " + scale);
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The normalized value of an 8-bit pixel {@code value} landing in model channel {@code c}. */
    public float normalize(int c, float value) {
        return (value * scale - mean[c]) / std[c];
    }

    /** Metadata entries, prefixed {@code preprocess.}, for the header of a weights file. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("preprocess.channels", channels.name());
        m.put("preprocess.scale", Float.toString(scale));
        m.put("preprocess.mean", join(mean));
        m.put("preprocess.std", join(std));
        m.put("preprocess.resize", Integer.toString(resize));
        m.put("preprocess.crop", Integer.toString(crop));
        return m;
    }

    /** Reads what {@link #toMetadata} wrote; null when the metadata has no preprocessing. */
    public static Preprocess fromMetadata(Map<String, String> m) {
        if (!m.containsKey("preprocess.channels")) {
            return null;
        }
        ChannelOrder channels = switch (String.valueOf(m.get("preprocess.channels")).toUpperCase(Locale.ROOT)) {
            case "RGB" -> ChannelOrder.RGB;
            case "BGR" -> ChannelOrder.BGR;
            default -> throw malformed(m, "preprocess.channels", "RGB or BGR");
        };
        float scale = positive(m, "preprocess.scale");
        float[] mean = floats(m, "preprocess.mean");
        float[] std = floats(m, "preprocess.std");
        int resize = side(m, "preprocess.resize");
        int crop = side(m, "preprocess.crop");
        for (float s : std) {
            if (!(s > 0)) {
                throw malformed(m, "preprocess.std", "3 positive numbers");
            }
        }
        if (crop > resize) {
            throw malformed(m, "preprocess.crop", "at most preprocess.resize (" + resize + ")");
        }
        return new Preprocess(channels, scale, mean, std, resize, crop);
    }

    /** One line: the key, its value, what is allowed (no other metadata: it may be long, e.g. class names). */
    private static IllegalArgumentException malformed(Map<String, String> m, String key, String allowed) {
        String v = m.get(key);
        String shown = v == null ? "missing" : "'" + (v.length() > 80 ? v.substring(0, 80) + "…" : v) + "'";
        return new IllegalArgumentException(OneLine.of(key + " is " + shown + "; allowed: " + allowed));
    }

    private static float positive(Map<String, String> m, String key) {
        try {
            float v = Float.parseFloat(m.get(key).trim());
            if (v > 0 && Float.isFinite(v)) {
                return v;
            }
        } catch (RuntimeException e) {
            // null or not a number: the message below says what is allowed
        }
        throw malformed(m, key, "a positive number");
    }

    private static int side(Map<String, String> m, String key) {
        try {
            int v = Integer.parseInt(m.get(key).trim());
            if (v >= 1 && v <= Limits.MAX_IMAGE_SIDE) {
                return v;
            }
        } catch (RuntimeException e) {
            // null or not an integer: the message below says what is allowed
        }
        throw malformed(m, key, "an integer from 1 to " + Limits.MAX_IMAGE_SIDE);
    }

    private static String join(float[] v) {
        return v[0] + "," + v[1] + "," + v[2];
    }

    private static float[] floats(Map<String, String> m, String key) {
        try {
            String[] parts = m.get(key).split(",");
            if (parts.length == 3) {
                float[] out = new float[3];
                for (int i = 0; i < 3; i++) {
                    out[i] = Float.parseFloat(parts[i].trim());
                    if (!Float.isFinite(out[i])) {
                        throw new NumberFormatException();
                    }
                }
                return out;
            }
        } catch (RuntimeException e) {
            // null or not numbers: the message below says what is allowed
        }
        throw malformed(m, key, "3 comma-separated finite numbers");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocess p && channels == p.channels && scale == p.scale
                && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std) && resize == p.resize && crop == p.crop;
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, scale, Arrays.hashCode(mean), Arrays.hashCode(std), resize, crop);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Preprocess[%s, scale %s, mean %s, std %s, resize %d, crop %d]",
                channels, scale, Arrays.toString(mean), Arrays.toString(std), resize, crop);
    }
}
