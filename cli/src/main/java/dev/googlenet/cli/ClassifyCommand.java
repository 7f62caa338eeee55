package dev.googlenet.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.ImageClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "classify", description = "Top-k ImageNet classes of images (files or folders), with 1, 10 or 144 "
        + "crops. Files that cannot be read are reported one line each; the others are still classified; the exit "
        + "code is 1 when any failed.")
final class ClassifyCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "image files, or folders of them")
    List<Path> inputs;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--top", defaultValue = "5", description = "classes per image (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--crops", defaultValue = "1", description = "1 (center), 10 or 144 (the paper's) crops, "
            + "softmax averaged (default: ${DEFAULT-VALUE})")
    int crops;

    @Option(names = "--batch", defaultValue = "16", description = "crops per model call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    static Tta.Mode mode(int crops) {
        return switch (crops) {
            case 1 -> Tta.Mode.CENTER;
            case 10 -> Tta.Mode.TEN;
            case 144 -> Tta.Mode.PAPER_144;
            default -> throw new IllegalArgumentException("--crops must be 1, 10 or 144, not " + crops);
        };
    }

    @Override
    public Integer call() throws IOException {
        Tta.Mode mode = mode(crops);
        ModelOptions.Loaded loaded = modelOptions.load().inferenceOnly(); // the plan is all it runs
        ImageClassifier classifier = loaded.classifier(batch);

        List<Path> files = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        int failed = 0;
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                for (ImageDecoder.Decoded d : ImageDecoder.decodeFolder(input)) {
                    if (d.error() != null) {
                        System.err.println(d.error().getMessage());
                        failed++;
                    } else {
                        files.add(d.file());
                        images.add(d.image());
                    }
                }
            } else {
                try {
                    images.add(ImageDecoder.decode(input));
                    files.add(input);
                } catch (ImageDecodeException e) {
                    System.err.println(e.getMessage());
                    failed++;
                }
            }
        }
        // classify in groups so a large folder never holds all its crops at once
        List<List<ImageClassifier.Prediction>> results = new ArrayList<>();
        int group = Math.max(1, batch * 4 / (mode == Tta.Mode.CENTER ? 1 : mode == Tta.Mode.TEN ? 10 : 144));
        for (int from = 0; from < images.size(); from += group) {
            results.addAll(classifier.classify(images.subList(from, Math.min(images.size(), from + group)), mode, top));
        }
        if (json) {
            printJson(files, results, loaded.description());
        } else {
            for (int i = 0; i < files.size(); i++) {
                System.out.println(files.get(i) + ":");
                int rank = 1;
                for (ImageClassifier.Prediction p : results.get(i)) {
                    System.out.printf(Locale.ROOT, "  %d. %-30s %6.2f%%  (class %d)%n", rank++, p.label(),
                            100 * p.probability(), p.index());
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static void printJson(List<Path> files, List<List<ImageClassifier.Prediction>> results, String model)
            throws IOException {
        PrintStream out = System.out;
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeArrayFieldStart("images");
            for (int i = 0; i < files.size(); i++) {
                g.writeStartObject();
                g.writeStringField("file", files.get(i).toString());
                g.writeArrayFieldStart("top");
                for (ImageClassifier.Prediction p : results.get(i)) {
                    g.writeStartObject();
                    g.writeNumberField("class", p.index());
                    g.writeStringField("label", p.label());
                    g.writeNumberField("probability", p.probability());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
    }
}
