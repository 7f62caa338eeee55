package dev.googlenet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.Crops;
import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.ImageResize;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.explain.Explainer;
import dev.googlenet.explain.Localization;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.io.Safetensors;
import dev.googlenet.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "explain", description = "What the model looks at, per image and class: CAM, Grad-CAM, Grad-CAM++, "
        + "saliency, SmoothGrad or occlusion. Writes OUT/<image>.<method>[.<layer>].c<class>.png (viridis over the "
        + "model's crop, the CAM paper's box in white) and .safetensors (the raw map and the heat map), and prints one JSON "
        + "line each. An unreadable image is one line on stderr; the others are still explained; exit code 1 then.")
final class ExplainCommand implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--method", defaultValue = "gradcam",
            description = "cam, gradcam, gradcam++, saliency, smoothgrad or occlusion (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--layer", defaultValue = Explainer.DEFAULT_LAYER,
            description = "the layer Grad-CAM and Grad-CAM++ explain (default: ${DEFAULT-VALUE})")
    String layer;

    @Option(names = "--class", description = "explain this class index (default: the top class)")
    Integer cls;

    @Option(names = "--top", defaultValue = "1", description = "explain each of the top K classes (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--out", required = true, description = "folder for the PNG and safetensors files")
    Path out;

    @Option(names = "--samples", defaultValue = "25", description = "SmoothGrad: noisy copies (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--sigma", defaultValue = "0.15",
            description = "SmoothGrad: noise σ as a fraction of the image's value range (default: ${DEFAULT-VALUE})")
    double sigma;

    @Option(names = "--seed", defaultValue = "0", description = "SmoothGrad: noise seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--patch", defaultValue = "32", description = "occlusion: patch side in pixels (default: ${DEFAULT-VALUE})")
    int patch;

    @Option(names = "--stride", defaultValue = "32", description = "occlusion: stride in pixels (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--fill", defaultValue = "0",
            description = "occlusion: the patch's value in the model's input (0: the mean pixel; default: ${DEFAULT-VALUE})")
    float fill;

    @Override
    public Integer call() throws IOException {
        Explainer.Method m = Explainer.Method.parse(method);
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, not " + top);
        }
        LoadedModel model = modelOptions.load().model();
        Explainer explainer = model.explainer();
        if ((m == Explainer.Method.GRADCAM || m == Explainer.Method.GRADCAM_PLUS_PLUS)
                && !explainer.layers().contains(layer)) {
            throw new IllegalArgumentException("unknown layer '" + layer + "'; choose one of " + explainer.layers());
        }
        checkClass(cls, model);
        Explainer.Settings settings = new Explainer.Settings(layer, samples, sigma, seed, patch, stride, fill);
        Files.createDirectories(out);
        int failed = 0;
        for (Path file : images) {
            try {
                explainImage(file, model, explainer, m, settings);
            } catch (ImageDecodeException | IllegalArgumentException e) {
                System.err.println("googlenet explain: " + (e.getMessage().contains(file.toString()) ? ""
                        : file + ": ") + e.getMessage());
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private void explainImage(Path file, LoadedModel model, Explainer explainer, Explainer.Method m,
                              Explainer.Settings settings) throws IOException {
        RgbImage image = ImageDecoder.decode(file);
        RgbImage crop = Tta.crops(image, model.preprocess(), Tta.Mode.CENTER).getFirst();
        Tensor input = model.input(List.of(image));
        int[] classes = cls != null ? new int[] {cls} : topClasses(model.logits(input), top);
        String stem = stem(file);
        for (int c : classes) {
            Explainer.Explanation e = explainer.explain(m, input, new int[] {c}, settings);
            Localization.Box box = Localization.box(e.heatmap(), 0);
            boolean layered = m == Explainer.Method.GRADCAM || m == Explainer.Method.GRADCAM_PLUS_PLUS;
            String base = stem + "." + m.cliName().replace("+", "p") + (layered ? "." + e.layer() : "") + ".c" + c;
            Path png = out.resolve(base + ".png"), maps = out.resolve(base + ".safetensors");
            BufferedImage overlay = Overlay.blend(crop, e.heatmap(), 0);
            if (box != null) {
                Overlay.box(overlay, box.x0(), box.y0(), box.x1(), box.y1());
            }
            Overlay.writePng(overlay, png);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("map", e.map().reshape(e.map().dim(1), e.map().dim(2)));
            tensors.put("heatmap", e.heatmap().reshape(e.heatmap().dim(1), e.heatmap().dim(2)));
            Safetensors.write(maps, tensors, Map.of("image", file.toString(), "method", m.cliName(),
                    "layer", e.layer(), "class", Integer.toString(c)));
            ObjectNode line = JSON.createObjectNode();
            line.put("image", file.toString());
            line.put("method", m.cliName());
            line.put("layer", e.layer());
            line.put("class", c);
            line.put("label", model.classNames().get(c));
            line.put("score", e.scores()[0]);
            if (box != null) {
                line.putArray("box").add(box.x0()).add(box.y0()).add(box.x1()).add(box.y1());
                int[] b = inImage(box, image, model.preprocess());
                line.putArray("box_image").add(b[0]).add(b[1]).add(b[2]).add(b[3]);
            } else {
                line.putNull("box");
            }
            line.put("overlay", png.toString());
            line.put("map", maps.toString());
            System.out.println(JSON.writeValueAsString(line));
        }
    }

    /** A --class out of the model's range is one clear error, before any image is read. */
    static void checkClass(Integer cls, LoadedModel model) {
        if (cls != null && (cls < 0 || cls >= model.numClasses())) {
            throw new IllegalArgumentException("class " + cls + " out of range: the model has " + model.numClasses()
                    + " classes (0–" + (model.numClasses() - 1) + ")");
        }
    }

    /** The K classes with the largest logits, best first. */
    static int[] topClasses(Tensor logits, int k) {
        int n = logits.dim(1);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(logits.get(0, b), logits.get(0, a)));
        int[] out = new int[Math.min(k, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /**
     * A box in the model's crop as pixels of the original image: undo the center crop's offset, then the resize
     * (x0, y0 rounded down, x1, y1 up).
     */
    static int[] inImage(Localization.Box box, RgbImage image, Preprocess p) {
        int[] resized = ImageResize.shorterSideSize(image.width(), image.height(), p.resize());
        Crops.Box crop = Crops.centerBox(resized[0], resized[1], p.crop(), p.crop());
        double sx = (double) image.width() / resized[0], sy = (double) image.height() / resized[1];
        return new int[] {(int) Math.floor((box.x0() + crop.left()) * sx), (int) Math.floor((box.y0() + crop.top()) * sy),
                (int) Math.min(image.width(), Math.ceil((box.x1() + crop.left()) * sx)),
                (int) Math.min(image.height(), Math.ceil((box.y1() + crop.top()) * sy))};
    }

    /** The file name without its extension. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
