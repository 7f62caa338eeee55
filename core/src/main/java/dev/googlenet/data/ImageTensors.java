package dev.googlenet.data;

import dev.googlenet.tensor.Tensor;

import java.nio.file.Path;
import java.util.List;

/**
 * Images to the NCHW tensors a model takes, following a {@link Preprocess}: channels in the model's order (RGB,
 * or BGR for Caffe models), each 0–255 value scaled, minus the mean, over the std — torchvision's
 * {@code ToTensor} + {@code Normalize}, or Caffe's mean subtraction.
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** One image as {@code [1, 3, height, width]} (no resizing or cropping here). */
    public static Tensor toTensor(RgbImage img, Preprocess p) {
        return stack(List.of(img), p);
    }

    /** Several images of one size as a batch {@code [n, 3, height, width]}. */
    public static Tensor stack(List<RgbImage> images, Preprocess p) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to stack");
        }
        int w = images.getFirst().width();
        int h = images.getFirst().height();
        int plane = w * h;
        Tensor t = Tensor.zeros(images.size(), 3, h, w);
        for (int n = 0; n < images.size(); n++) {
            RgbImage img = images.get(n);
            if (img.width() != w || img.height() != h) {
                throw new IllegalArgumentException("image " + n + " is " + img.width() + "x" + img.height()
                        + ", image 0 is " + w + "x" + h + ": a batch needs one size");
            }
            write(img, p, t.data(), n * 3 * plane);
        }
        return t;
    }

    /** One image's 3 normalized planes into {@code out} from {@code offset} (3·width·height values). */
    public static void write(RgbImage img, Preprocess p, float[] out, int offset) {
        int plane = img.width() * img.height();
        if (offset < 0 || out.length - offset < 3L * plane) {
            throw new IllegalArgumentException("a " + img.width() + "x" + img.height() + " image needs " + 3L * plane
                    + " values from offset " + offset + "; the array has " + out.length);
        }
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            int source = p.channels() == Preprocess.ChannelOrder.BGR ? 2 - c : c;
            float[] lut = new float[256];
            for (int v = 0; v < 256; v++) {
                lut[v] = p.normalize(c, v);
            }
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                out[base + i] = lut[rgb[i * 3 + source] & 0xFF];
            }
        }
    }

    /** The evaluation transform: resize the shorter side to {@code p.resize()}, center-crop {@code p.crop()}. */
    public static RgbImage evalCrop(RgbImage img, Preprocess p) {
        int[] size = ImageResize.shorterSideSize(img.width(), img.height(), p.resize());
        // resizing only the crop gives the crop of the resized image, byte for byte, for less work
        return ImageResize.resize(img, size[0], size[1], Crops.centerBox(size[0], size[1], p.crop(), p.crop()));
    }

    /** Decode, resize, center-crop and normalize one file: {@code [1, 3, crop, crop]}. */
    public static Tensor load(Path file, Preprocess p) throws ImageDecodeException {
        return toTensor(evalCrop(ImageDecoder.decode(file), p), p);
    }
}
