package dev.googlenet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.Dataset;
import dev.googlenet.data.HorizontalFlip;
import dev.googlenet.data.IdxDataset;
import dev.googlenet.data.ImageFileDecoder;
import dev.googlenet.data.ImageFolderDataset;
import dev.googlenet.data.KnownDataset;
import dev.googlenet.data.Normalize;
import dev.googlenet.data.PhotometricDistortion;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RandomCrop;
import dev.googlenet.data.RandomErasing;
import dev.googlenet.data.RandomResizedCrop;
import dev.googlenet.data.ResizeCenterCrop;
import dev.googlenet.data.Split;
import dev.googlenet.data.SwapRedBlue;
import dev.googlenet.data.Transform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the training data comes from and how it is split and augmented: enough to rebuild the same pipeline when
 * a run is resumed (it is stored in the checkpoint).
 *
 * @param dataset     "fashion-mnist", "mnist", or an image folder (one sub-folder per class)
 * @param dataPath    folder of the IDX files (null: searched, see {@link KnownDataset#locate})
 * @param valFraction share of the training set held out for validation (0 = none)
 * @param limit       train on this many random examples of the split's training part (0 = all), and validate on
 *                    the same share of held-out ones
 * @param size        side of the model's input (IDX: the images' own size; folders: the crop, e.g. 224)
 * @param augment     augmentations in order: {@code crop-pad} (random crop with padding), {@code flip},
 *                    {@code rsc} (the paper's random-sized crop), {@code photometric}, {@code erase} (random
 *                    erasing, which always runs last, after normalization); empty for none
 * @param padding     padding of {@code crop-pad}
 * @param seed        seed of the split, the data order and the augmentation
 */
public record DataRecipe(String dataset, Path dataPath, double valFraction, int limit, int size,
                         List<String> augment, int padding, long seed) {
    public static final List<String> AUGMENTATIONS = List.of("crop-pad", "flip", "rsc", "photometric",
            "erase");

    public DataRecipe {
        augment = List.copyOf(augment);
        for (String a : augment) {
            if (!AUGMENTATIONS.contains(a)) {
                throw new IllegalArgumentException("unknown augmentation '" + a + "': use " + AUGMENTATIONS
                        + " or none");
            }
        }
        if (!(valFraction >= 0 && valFraction < 1) || limit < 0 || size < 0 || padding < 0) {
            throw new IllegalArgumentException("need 0 ≤ validation fraction < 1, limit ≥ 0, size ≥ 0, padding ≥ 0");
        }
    }

    /** Parses "crop-pad,flip" / "none". */
    public static List<String> parseAugment(String s) {
        if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        return Arrays.stream(s.split(",")).map(x -> x.trim().toLowerCase(Locale.ROOT)).filter(x -> !x.isEmpty())
                .toList();
    }

    /** The known IDX dataset this recipe names, or null for an image folder. */
    public KnownDataset known() {
        return KnownDataset.byName(dataset);
    }

    /**
     * The pipeline, ready for loaders.
     *
     * @param train          training examples (after the split and the limit)
     * @param validation     held-out examples, or null
     * @param channels       1 for the gray IDX sets, 3 for image folders
     * @param size           the model's input side
     * @param trainTransform augmentation, then normalization
     * @param evalTransform  geometry for evaluation (folders: resize + centre crop), then normalization
     * @param preprocess     the same normalization for inference, for the weights' metadata
     */
    /** The opened data; {@code test} is the dataset's own test split (IDX sets), null for image folders. */
    public record Prepared(Dataset train, Dataset validation, Dataset test, List<String> classes, int channels,
                           int size, Transform trainTransform, Transform evalTransform, Preprocess preprocess,
                           String description, List<ImageFolderDataset.Skipped> skipped) {
    }

    /** Opens the data; {@code decoder} reads image-folder files (unused for IDX sets). */
    public Prepared prepare(ImageFileDecoder decoder) throws IOException {
        return prepare(decoder, null);
    }

    /**
     * Opens the data. An image folder is read once whole: unreadable files are left out ({@link Prepared#skipped}),
     * and fewer than two classes or a class without a readable image is an error.
     *
     * @param decoder reads image-folder files (unused for IDX sets)
     * @param model   the preprocessing of the model training starts from (fine-tuning: its input size,
     *                channel order, mean and std), or null for the dataset's own
     */
    public Prepared prepare(ImageFileDecoder decoder, Preprocess model) throws IOException {
        Dataset full, test = null;
        int channels, side;
        float[] mean, std;
        List<ImageFolderDataset.Skipped> skipped = List.of();
        KnownDataset known = known();
        if (known != null) {
            IdxDataset idx = known.load(known.locate(dataPath), KnownDataset.Part.TRAIN);
            full = idx;
            test = known.load(known.locate(dataPath), KnownDataset.Part.TEST);
            channels = 1;
            side = idx.height();
            if (size != 0 && size != side) {
                throw new IllegalArgumentException(known.folderName() + " images are " + side + "×" + side
                        + "; --size " + size + " is not supported for it");
            }
            mean = new float[] {known.mean()};
            std = new float[] {known.std()};
        } else {
            ImageFolderDataset folder = ImageFolderDataset.scanReadable(Path.of(dataset), decoder, 2);
            skipped = folder.skipped();
            full = folder;
            channels = 3;
            side = size != 0 ? size : model != null ? model.crop() : 224;
            mean = new float[] {0.485f, 0.456f, 0.406f};
            std = new float[] {0.229f, 0.224f, 0.225f};
        }
        if (model != null) {
            Normalize n = normalization(model, channels);
            mean = n.mean();
            std = n.std();
        }
        Split split = Split.random(full, valFraction, seed);
        Dataset train = limit > 0 ? Split.sample(split.train(), limit, seed + 1) : split.train();
        Dataset val = split.validation().size() > 0 ? split.validation() : null;
        if (val != null && limit > 0) { // a quick run validates quickly too: the same share of what it trains on
            int valLimit = (int) Math.ceil(limit * valFraction / (1 - valFraction));
            val = valLimit < val.size() ? Split.sample(val, valLimit, seed + 2) : val;
        }
        int resize = known != null ? side : model != null && size == 0 ? model.resize()
                : (int) Math.round(side * 256.0 / 224);
        Transform geometry = known != null ? Transform.identity() : new ResizeCenterCrop(resize, side);
        List<Transform> steps = new ArrayList<>();
        boolean cropped = false;
        for (String a : augment) {
            switch (a) {
                case "crop-pad" -> {
                    if (known == null && !cropped) {
                        steps.add(geometry);
                    }
                    steps.add(new RandomCrop(side, padding));
                    cropped = true;
                }
                case "flip" -> steps.add(new HorizontalFlip(0.5));
                case "rsc" -> {
                    steps.add(RandomResizedCrop.paper(side));
                    cropped = true;
                }
                case "erase" -> {
                    // added after normalization, below: its value 0 is then the mean, as in torchvision
                }
                default -> steps.add(PhotometricDistortion.standard());
            }
        }
        if (known == null && !cropped) {
            steps.addFirst(geometry);
        }
        boolean bgr = model != null && model.channels() == Preprocess.ChannelOrder.BGR;
        Normalize normalize = new Normalize(mean, std);
        Transform toModel = bgr ? new SwapRedBlue().then(normalize) : normalize;
        steps.add(toModel);
        if (augment.contains("erase")) {
            steps.add(RandomErasing.standard());
        }
        float[] m3 = channels == 1 ? new float[] {mean[0], mean[0], mean[0]} : mean;
        float[] s3 = channels == 1 ? new float[] {std[0], std[0], std[0]} : std;
        Preprocess preprocess = model != null ? new Preprocess(model.channels(), model.scale(), model.mean(),
                model.std(), resize, side) : new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, m3, s3, resize, side);
        String description = full.describe() + ": " + train.size() + " training examples"
                + (val == null ? "" : ", " + val.size() + " for validation")
                + ", augmentation " + (augment.isEmpty() ? "none" : String.join(",", augment));
        return new Prepared(train, val, test, full.classes(), channels, side, Transform.compose(steps),
                geometry.then(toModel), preprocess, description + (skipped.isEmpty() ? ""
                : ", " + skipped.size() + " unreadable file(s) skipped"), skipped);
    }

    /**
     * A model's normalization for images in [0, 1] (what the datasets give): its scale applies to 0–255 values,
     * so {@code (255·scale·v − mean)/std}; {@code channels} 1 takes the first mean and std.
     */
    public static Normalize normalization(Preprocess p, int channels) {
        float unit = 255 * p.scale();
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = p.mean()[c] / unit;
            std[c] = p.std()[c] / unit;
        }
        return new Normalize(mean, std);
    }

    /** {@link #normalization}, after swapping red and blue for a BGR model. */
    public static Transform toModel(Preprocess p, int channels) {
        Normalize n = normalization(p, channels);
        return p.channels() == Preprocess.ChannelOrder.BGR ? new SwapRedBlue().then(n) : n;
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("dataset", dataset);
        if (dataPath != null) {
            o.put("data_path", dataPath.toString());
        } else {
            o.putNull("data_path");
        }
        o.put("val_fraction", valFraction);
        o.put("limit", limit);
        o.put("size", size);
        o.put("augment", String.join(",", augment));
        o.put("padding", padding);
        o.put("seed", seed);
        return o;
    }

    public static DataRecipe fromJson(JsonNode o) {
        return new DataRecipe(o.get("dataset").asText(), o.hasNonNull("data_path")
                ? Path.of(o.get("data_path").asText()) : null, o.get("val_fraction").asDouble(),
                o.get("limit").asInt(), o.get("size").asInt(), parseAugment(o.get("augment").asText()),
                o.get("padding").asInt(), o.get("seed").asLong());
    }
}
