package dev.googlenet.cli;

import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.Embeddings;
import dev.googlenet.io.Safetensors;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "embed", description = "One vector per image: the pooled features (or a layer's activation averaged "
        + "over its map), written as safetensors (tensor 'embeddings' [N,D]) with a CSV index (row, file) beside it. "
        + "Unreadable files are reported and left out; the exit code is then 1.")
final class EmbedCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "image files, or folders of them")
    List<Path> inputs;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", defaultValue = "pool5", description = "pool5 (= features: what the classifier reads) or "
            + "a stage: conv1 … inception5b, averaged over its map (default: ${DEFAULT-VALUE})")
    String layer;

    @Option(names = "--crops", defaultValue = "1", description = "1 (center) or 10 (ten crops, vectors averaged; "
            + "default: ${DEFAULT-VALUE})")
    int crops;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "the vectors; the index "
            + "goes to the same name with .csv")
    Path out;

    @Option(names = "--batch", defaultValue = "16", description = "images per model call (default: ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() throws IOException {
        if (crops != 1 && crops != 10) {
            throw new IllegalArgumentException("--crops is 1 or 10 for embeddings, not " + crops);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1");
        }
        String name = out.getFileName().toString();
        if (!name.endsWith(".safetensors")) {
            throw new IllegalArgumentException(out + ": the output must be a .safetensors file");
        }
        ModelOptions.Loaded loaded = modelOptions.load();
        Embeddings embeddings = new Embeddings(loaded.model(), layer, crops == 10 ? Tta.Mode.TEN : Tta.Mode.CENTER);
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            files.addAll(Files.isDirectory(input) ? ImageDecoder.folderFiles(input) : List.of(input));
        }
        List<Path> kept = new ArrayList<>();
        List<Tensor> parts = new ArrayList<>();
        int failed = 0;
        for (int from = 0; from < files.size(); from += batch) {
            List<RgbImage> images = new ArrayList<>();
            for (Path file : files.subList(from, Math.min(files.size(), from + batch))) {
                try {
                    images.add(ImageDecoder.decode(file));
                    kept.add(file);
                } catch (ImageDecodeException e) {
                    System.err.println("skipped " + e.getMessage());
                    failed++;
                }
            }
            if (!images.isEmpty()) {
                parts.add(embeddings.embed(images));
            }
        }
        if (kept.isEmpty()) {
            throw new IOException("no readable images among " + files.size() + " file(s)");
        }
        Tensor vectors = Embeddings.rows(parts);
        int dim = vectors.dim(1);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("googlenet.model", loaded.description());
        meta.put("googlenet.layer", layer);
        meta.put("googlenet.crops", Integer.toString(crops));
        Safetensors.write(out, Map.of("embeddings", vectors), meta);
        StringBuilder csv = new StringBuilder("row,file\n");
        for (int i = 0; i < kept.size(); i++) {
            csv.append(i).append(',').append(csvField(kept.get(i).toString())).append('\n');
        }
        Path index = out.resolveSibling(name.substring(0, name.length() - ".safetensors".length()) + ".csv");
        Checkpoints.writeAtomically(index, csv.toString());
        System.out.printf(Locale.ROOT, "%d vectors of %d (%s, %d crop(s)) → %s, index %s%n", kept.size(), dim, layer,
                crops, out, index);
        return failed == 0 ? 0 : 1;
    }

    /** RFC 4180: quoted when it holds a comma, a quote or a line break. */
    static String csvField(String s) {
        return s.matches("[^,\"\\r\\n]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
