package dev.googlenet.data;

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
        try {
            return new Preprocess(ChannelOrder.valueOf(m.get("preprocess.channels").toUpperCase(Locale.ROOT)),
                    Float.parseFloat(m.get("preprocess.scale")), floats(m.get("preprocess.mean")),
                    floats(m.get("preprocess.std")), Integer.parseInt(m.get("preprocess.resize")),
                    Integer.parseInt(m.get("preprocess.crop")));
        } catch (RuntimeException e) {
            Map<String, String> ours = new java.util.TreeMap<>(); // only these: the rest may be long (class names)
            m.forEach((k, v) -> {
                if (k.startsWith("preprocess.")) {
                    ours.put(k, v);
                }
            });
            throw new IllegalArgumentException("malformed preprocess.* metadata " + ours + ": " + e.getMessage(), e);
        }
    }

    private static String join(float[] v) {
        return v[0] + "," + v[1] + "," + v[2];
    }

    private static float[] floats(String s) {
        String[] parts = s.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("need 3 comma-separated values, got '" + s + "'");
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            out[i] = Float.parseFloat(parts[i].trim());
        }
        return out;
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
