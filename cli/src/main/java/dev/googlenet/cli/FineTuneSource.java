package dev.googlenet.cli;

import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.model.Variant;

import java.io.IOException;
import java.nio.file.Path;

/** The model {@code train --init} starts from: any file the library loads; a bare state dict takes --variant. */
final class FineTuneSource {
    private FineTuneSource() {
    }

    static LoadedModel load(Path file, String variant) throws IOException {
        try {
            return Models.load(file);
        } catch (Models.MissingVariantException e) { // a torchvision state dict says nothing of itself
            return Models.load(file, Variant.parse(variant));
        }
    }
}
