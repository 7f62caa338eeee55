package dev.googlenet.infer;

import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.ImageTensors;
import dev.googlenet.data.Tta;
import dev.googlenet.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Images in, classes out: a model that maps [N,3,H,W] to logits, the {@link Preprocess} it was trained with,
 * and class names. Test-time augmentation (1, 10 or 144 crops) averages the crops' softmax, as the paper does.
 * Crops of all images are run through the model in batches.
 */
public final class ImageClassifier {

    /** Anything that turns a batch of preprocessed images into logits (our GoogLeNet, an imported ONNX graph). */
    @FunctionalInterface
    public interface Model {
        Tensor logits(Tensor batch);
    }

    /** One class with its probability. */
    public record Prediction(int index, String label, float probability) {
    }

    private final Model model;
    private final Preprocess preprocess;
    private final List<String> labels;
    private final int batchSize;
    private final int inputChannels;

    public ImageClassifier(Model model, Preprocess preprocess, List<String> labels, int batchSize) {
        this(model, preprocess, labels, batchSize, 3);
    }

    /** {@code inputChannels} 1: images are turned gray (Pillow's "L" luma) and normalized with the first mean/std. */
    public ImageClassifier(Model model, Preprocess preprocess, List<String> labels, int batchSize, int inputChannels) {
        this.model = Objects.requireNonNull(model);
        this.preprocess = Objects.requireNonNull(preprocess);
        this.labels = List.copyOf(labels);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        this.batchSize = batchSize;
        if (inputChannels != 1 && inputChannels != 3) {
            throw new IllegalArgumentException("input channels must be 1 or 3, not " + inputChannels);
        }
        this.inputChannels = inputChannels;
    }

    public Preprocess preprocess() {
        return preprocess;
    }

    /** Class probabilities of each image (softmax averaged over its crops). */
    public List<float[]> probabilities(List<RgbImage> images, Tta.Mode mode) {
        List<RgbImage> crops = new ArrayList<>();
        int[] counts = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            List<RgbImage> c = Tta.crops(images.get(i), preprocess, mode);
            counts[i] = c.size();
            crops.addAll(c);
        }
        List<float[]> logitRows = new ArrayList<>();
        for (int from = 0; from < crops.size(); from += batchSize) {
            List<RgbImage> chunk = crops.subList(from, Math.min(crops.size(), from + batchSize));
            Tensor logits = model.logits(tensor(chunk, preprocess, inputChannels));
            int classes = logits.dim(1);
            for (int r = 0; r < chunk.size(); r++) {
                float[] row = new float[classes];
                System.arraycopy(logits.data(), r * classes, row, 0, classes);
                logitRows.add(row);
            }
        }
        List<float[]> out = new ArrayList<>();
        int next = 0;
        for (int count : counts) {
            int classes = logitRows.get(next).length;
            Tensor group = Tensor.zeros(count, classes);
            for (int k = 0; k < count; k++) {
                System.arraycopy(logitRows.get(next + k), 0, group.data(), k * classes, classes);
            }
            out.add(Tta.softmaxAverage(group));
            next += count;
        }
        return out;
    }

    /**
     * Crops of one size as the model's input [N,C,H,W]: {@code channels} 3 as {@link ImageTensors#stack}; 1 as
     * Pillow's convert("L") luma (R·299 + G·587 + B·114)/1000, then the first mean/std (how gray models were
     * trained on Fashion-MNIST-like data).
     */
    static Tensor tensor(List<RgbImage> images, Preprocess preprocess, int channels) {
        if (channels == 3) {
            return ImageTensors.stack(images, preprocess);
        }
        int w = images.getFirst().width(), h = images.getFirst().height();
        Tensor t = Tensor.zeros(images.size(), 1, h, w);
        for (int n = 0; n < images.size(); n++) {
            RgbImage img = images.get(n);
            if (img.width() != w || img.height() != h) {
                throw new IllegalArgumentException("image " + n + " is " + img.width() + "x" + img.height()
                        + ", image 0 is " + w + "x" + h + ": a batch needs one size");
            }
            write(img, preprocess, 1, t.data(), n * w * h);
        }
        return t;
    }

    /** One image as {@code channels} (3, or 1 for gray: ITU-R 601 luma) normalized planes into {@code out}. */
    static void write(RgbImage img, Preprocess preprocess, int channels, float[] out, int offset) {
        if (channels == 3) {
            ImageTensors.write(img, preprocess, out, offset);
            return;
        }
        int plane = img.width() * img.height();
        if (offset < 0 || out.length - offset < plane) {
            throw new IllegalArgumentException("a " + img.width() + "x" + img.height() + " gray image needs " + plane
                    + " values from offset " + offset + "; the array has " + out.length);
        }
        byte[] rgb = img.rgb();
        for (int i = 0; i < plane; i++) {
            int luma = ((rgb[3 * i] & 255) * 299 + (rgb[3 * i + 1] & 255) * 587 + (rgb[3 * i + 2] & 255) * 114) / 1000;
            out[offset + i] = preprocess.normalize(0, luma);
        }
    }

    /** The {@code k} most probable classes of each image. */
    public List<List<Prediction>> classify(List<RgbImage> images, Tta.Mode mode, int k) {
        List<List<Prediction>> out = new ArrayList<>();
        for (float[] p : probabilities(images, mode)) {
            out.add(top(p, k));
        }
        return out;
    }

    /** The {@code k} largest entries of {@code p}, largest first (ties: lower index first). */
    public List<Prediction> top(float[] p, int k) {
        List<Prediction> best = new ArrayList<>();
        boolean[] taken = new boolean[p.length];
        for (int n = 0; n < Math.min(k, p.length); n++) {
            int arg = -1;
            for (int i = 0; i < p.length; i++) {
                if (!taken[i] && (arg < 0 || p[i] > p[arg])) {
                    arg = i;
                }
            }
            taken[arg] = true;
            best.add(new Prediction(arg, arg < labels.size() ? labels.get(arg) : "class " + arg, p[arg]));
        }
        return best;
    }

    /** The 1000 ImageNet class names in class-index order (as torchvision lists them). */
    public static List<String> imagenetLabels() {
        try (InputStream in = ImageClassifier.class.getResourceAsStream("imagenet_classes.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource imagenet_classes.txt missing from the jar");
            }
            List<String> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        out.add(line.strip());
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
