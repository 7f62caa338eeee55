package dev.googlenet.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns an image file into pixels for {@link ImageFolderDataset}. Kept as a function so the folder dataset does
 * not depend on a particular decoder: the project's image decoder plugs in with an adapter such as
 * {@code file -> { var im = ImageDecoder.decode(file); return FloatImage.fromInterleaved(im.width(), im.height(), 3, im.rgb()); }},
 * and tests pass a fake one. Must be safe to call from several threads at once.
 */
@FunctionalInterface
public interface ImageFileDecoder {

    /** The file's pixels, values in [0, 1]; an {@link IOException} whose message names the file on failure. */
    FloatImage decode(Path file) throws IOException;
}
