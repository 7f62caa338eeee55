package dev.googlenet.data;

import java.io.IOException;
import java.nio.file.Path;

/** Image-folder datasets decode with the project's Pillow-exact {@link ImageDecoder} (RGB, 8 bits per channel). */
public final class PillowFileDecoder implements ImageFileDecoder {

    @Override
    public FloatImage decode(Path file) throws IOException {
        RgbImage im = ImageDecoder.decode(file);
        return FloatImage.fromInterleaved(im.width(), im.height(), 3, im.rgb());
    }
}
