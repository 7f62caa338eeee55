package dev.googlenet.io;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GoogLeNet weights as safetensors state dicts, with torchvision's parameter names (so a torchvision
 * {@code state_dict()} saved with {@code safetensors.torch.save_file} loads as it is).
 */
public final class StateDicts {
    /** Metadata key naming the architecture variant of a weights file we write. */
    public static final String VARIANT_KEY = "googlenet.variant";

    private StateDicts() {
    }

    /** Every floating-point tensor of the file by name; integer ones (PyTorch's {@code num_batches_tracked}) are skipped. */
    public static Map<String, Tensor> tensors(SafetensorsFile file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : file.names()) {
            String dtype = file.dtype(name);
            if (dtype.startsWith("F") || dtype.equals("BF16")) {
                out.put(name, file.tensor(name));
            }
        }
        return out;
    }

    /** Loads weights into {@code model}; a mismatch names the file and the offending tensors. */
    public static void load(Path file, GoogLeNet model) throws IOException {
        SafetensorsFile st = Safetensors.read(file);
        try {
            model.loadStateDict(tensors(st));
        } catch (IllegalArgumentException e) {
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** Writes the model's parameters and buffers (temp file, then rename). */
    public static void save(Path file, GoogLeNet model, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, model.stateDict(), metadata);
    }

    /** Writes the model with what it takes to use it again: its variant and its preprocessing, as metadata. */
    public static void save(Path file, GoogLeNet model, dev.googlenet.data.Preprocess preprocess) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(VARIANT_KEY, model.config().variant().name().toLowerCase(java.util.Locale.ROOT));
        meta.putAll(preprocess.toMetadata());
        save(file, model, meta);
    }
}
