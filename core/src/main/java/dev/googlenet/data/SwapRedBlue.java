package dev.googlenet.data;

import java.util.random.RandomGenerator;

/** RGB → BGR (and back): the channel order of Caffe-trained models such as the ONNX model zoo's GoogLeNet. */
public record SwapRedBlue() implements Transform {

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        if (image.channels() != 3) {
            throw new IllegalArgumentException("swapping red and blue needs 3 channels, the image has "
                    + image.channels());
        }
        int plane = image.planeSize();
        float[] in = image.data(), out = in.clone();
        System.arraycopy(in, 0, out, 2 * plane, plane);
        System.arraycopy(in, 2 * plane, out, 0, plane);
        return new FloatImage(3, image.height(), image.width(), out);
    }
}
