package dev.googlenet.infer;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.explain.DeepDream;
import dev.googlenet.explain.Explainer;
import dev.googlenet.infer.ImageClassifier.Prediction;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model ready to use, whatever file it came from ({@link Models#load}): what it computes, how images must be
 * prepared for it, and what its classes are called.
 *
 * <p>A GoogLeNet — from our safetensors, a training run, a torchvision state dict, or an ONNX graph that maps onto
 * one — runs on its compiled {@link InferencePlan}, which is immutable and thread-safe, so one {@code LoadedModel}
 * serves any number of threads. An ONNX graph that is not a GoogLeNet runs through the ONNX graph runner; it gives
 * logits but no {@link #features}.
 *
 * <p>Instances are immutable; {@link #withPreprocess} returns a new one.
 */
public final class LoadedModel {
    /** Crops per model call when classifying (the command line's default {@code --batch}). */
    public static final int DEFAULT_BATCH = 16;

    private final GoogLeNet googLeNet;
    private final InferencePlan plan;
    private final ImageClassifier.Model logits;
    private final String notGoogLeNet;
    private final Preprocess preprocess;
    private final List<String> classNames;
    private final int inputChannels;
    private final String description;

    /** A GoogLeNet: runs on a plan compiled from its weights as they are now. */
    LoadedModel(GoogLeNet googLeNet, Preprocess preprocess, List<String> classNames, String description) {
        this(googLeNet, InferencePlan.compile(googLeNet), null, null, preprocess, classNames,
                googLeNet.config().inputChannels(), description);
    }

    /** A graph that is not a GoogLeNet ({@code why} says what did not match): only logits. */
    LoadedModel(ImageClassifier.Model graph, String why, Preprocess preprocess, List<String> classNames,
                int inputChannels, String description) {
        this(null, null, graph, why, preprocess, classNames, inputChannels, description);
    }

    private LoadedModel(GoogLeNet googLeNet, InferencePlan plan, ImageClassifier.Model graph, String notGoogLeNet,
                        Preprocess preprocess, List<String> classNames, int inputChannels, String description) {
        this.googLeNet = googLeNet;
        this.plan = plan;
        this.logits = plan != null ? plan::logits : Objects.requireNonNull(graph);
        this.notGoogLeNet = notGoogLeNet;
        this.preprocess = Objects.requireNonNull(preprocess, "preprocess");
        this.classNames = List.copyOf(classNames);
        this.inputChannels = inputChannels;
        this.description = Objects.requireNonNull(description);
    }

    /** The model definition, when this is a GoogLeNet (empty for an ONNX graph of another shape). */
    public Optional<GoogLeNet> googLeNet() {
        return Optional.ofNullable(googLeNet);
    }

    /** The compiled inference plan, when this is a GoogLeNet. */
    public Optional<InferencePlan> plan() {
        return Optional.ofNullable(plan);
    }

    /** How images become this model's input: resize, crop, channel order, scale, mean and std. */
    public Preprocess preprocess() {
        return preprocess;
    }

    /** One name per class, in class-index order. */
    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** 3 (color) or 1 (gray: images are converted to luma and normalized with the first mean and std). */
    public int inputChannels() {
        return inputChannels;
    }

    /** The side of the square crop images are fed at ({@code preprocess().crop()}, e.g. 224). */
    public int inputSize() {
        return preprocess.crop();
    }

    /** One line: the file and what it held, e.g. {@code tv_eval.onnx (GoogLeNet, torchvision)}. */
    public String description() {
        return description;
    }

    /**
     * The same model with other preprocessing: the explicit override for weights whose file does not say, or
     * says wrongly, how they were trained (torchvision's pretrained GoogLeNet:
     * {@link Preprocess#TORCHVISION_GOOGLENET_PRETRAINED}).
     */
    public LoadedModel withPreprocess(Preprocess preprocess) {
        return new LoadedModel(googLeNet, plan, plan == null ? logits : null, notGoogLeNet, preprocess, classNames,
                inputChannels, description);
    }

    /**
     * The same model for inference alone: the compiled plan without the definition it came from, whose weights
     * (a second copy: the plan keeps its own, BatchNorm folded in) can then be collected. For programs that only
     * classify or extract features; {@link #googLeNet()} is empty.
     */
    public LoadedModel inferenceOnly() {
        return new LoadedModel(null, plan, plan == null ? logits : null, notGoogLeNet, preprocess, classNames,
                inputChannels, description);
    }

    /**
     * Logits [N, classes] for preprocessed images [N, C, H, W]; the tensor is the caller's. A graph run by the
     * ONNX runner reports its errors as {@link java.io.UncheckedIOException} (its cause names the file).
     */
    public Tensor logits(Tensor input) {
        return logits.logits(input);
    }

    /** The pooled features [N, 1024] (at width 1) the classifier reads, for preprocessed images [N, C, H, W]. */
    public Tensor features(Tensor input) {
        if (plan == null) {
            throw new UnsupportedOperationException(description + ": features need a GoogLeNet, and this graph is "
                    + "not one (" + notGoogLeNet + "); only logits are available");
        }
        return plan.features(input);
    }

    /**
     * An explainer (CAM, Grad-CAM, saliency, occlusion, branch contributions) over this model's definition and
     * plan. Cheap: it holds no buffers of its own; calls on it are thread-safe. Needs the definition, so not after
     * {@link #inferenceOnly()} and not for a graph that is not a GoogLeNet.
     */
    public Explainer explainer() {
        if (googLeNet == null) {
            throw new UnsupportedOperationException(description + ": explanations need the GoogLeNet definition ("
                    + (plan == null ? "this graph is not one: " + notGoogLeNet : "dropped by inferenceOnly()") + ")");
        }
        return Explainer.of(googLeNet, plan);
    }

    /** The model's input as a function of 0–255 pixels, for DeepDream: x = (p·scale − mean) / std per channel. */
    public DeepDream.PixelSpace pixelSpace() {
        float[] unit = new float[inputChannels], offset = new float[inputChannels];
        for (int c = 0; c < inputChannels; c++) {
            unit[c] = preprocess.scale() / preprocess.std()[c];
            offset[c] = -preprocess.mean()[c] / preprocess.std()[c];
        }
        return new DeepDream.PixelSpace(unit, offset);
    }

    /** Images (any size) as this model's input [N, C, size, size]: resized, center-cropped and normalized. */
    public Tensor input(List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        List<RgbImage> crops = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            crops.add(centerCrop(image));
        }
        return ImageClassifier.tensor(crops, preprocess, inputChannels);
    }

    /** The image resized and center-cropped to this model's input size. */
    private RgbImage centerCrop(RgbImage image) {
        return Tta.crops(image, preprocess, Tta.Mode.CENTER).getFirst();
    }

    /**
     * One image's input, center crop, written into {@code out} ({@code inputChannels()·inputSize()²} values): what
     * {@link #input(List)} gives for it, into an array the caller keeps (a server recycles them between requests).
     */
    public void input(RgbImage image, float[] out) {
        int size = inputChannels * inputSize() * inputSize();
        if (out.length != size) {
            throw new IllegalArgumentException("an input array of " + out.length + " values; this model's input is "
                    + inputChannels + "x" + inputSize() + "x" + inputSize() + " = " + size);
        }
        ImageClassifier.write(centerCrop(image), preprocess, inputChannels, out, 0);
    }

    /** The {@code topK} most probable classes of an image file (center crop). */
    public List<Prediction> classify(Path image, int topK) throws IOException {
        return classify(List.of(image), topK, Tta.Mode.CENTER).getFirst();
    }

    /** The {@code topK} most probable classes of a decoded image (center crop). */
    public List<Prediction> classify(RgbImage image, int topK) {
        return classifyImages(List.of(image), topK, Tta.Mode.CENTER).getFirst();
    }

    /** The {@code topK} most probable classes of each image file (center crop). */
    public List<List<Prediction>> classify(List<Path> images, int topK) throws IOException {
        return classify(images, topK, Tta.Mode.CENTER);
    }

    /**
     * The {@code topK} most probable classes of each image file, the softmax averaged over {@code crops} (1, 10
     * or the paper's 144 per image). Files are decoded a few at a time, so a long list never holds all its crops
     * at once; an unreadable file is an {@link dev.googlenet.data.ImageDecodeException} naming it.
     */
    public List<List<Prediction>> classify(List<Path> images, int topK, Tta.Mode crops) throws IOException {
        checkTop(topK);
        ImageClassifier classifier = classifier(DEFAULT_BATCH);
        int group = Math.max(1, DEFAULT_BATCH * 4 / crops.crops());
        List<List<Prediction>> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += group) {
            List<RgbImage> decoded = new ArrayList<>();
            for (Path file : images.subList(from, Math.min(images.size(), from + group))) {
                decoded.add(ImageDecoder.decode(file));
            }
            out.addAll(classifier.classify(decoded, crops, topK));
        }
        return out;
    }

    /** The {@code topK} most probable classes of each decoded image, the softmax averaged over {@code crops}. */
    public List<List<Prediction>> classifyImages(List<RgbImage> images, int topK, Tta.Mode crops) {
        checkTop(topK);
        return classifier(DEFAULT_BATCH).classify(images, crops, topK);
    }

    /** A classifier over this model that runs {@code batchSize} crops per call (for probabilities, say). */
    public ImageClassifier classifier(int batchSize) {
        return new ImageClassifier(logits, preprocess, classNames, batchSize, inputChannels);
    }

    private static void checkTop(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, not " + topK);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
