package dev.googlenet.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Crops as torchvision takes them: {@code CenterCrop}, {@code TenCrop} (the four corners and the center, then
 * the same five of the mirrored image), and the GoogLeNet paper's 144 crops for test-time augmentation. The
 * geometry ({@link View}s) is separate from the pixels so it can be checked and reused; resizing is
 * {@link ImageResize}'s job.
 */
public final class Crops {
    /** The paper's four scales for the 144 crops: the shorter side is resized to each. */
    public static final int[] PAPER_SCALES = {256, 288, 320, 352};

    private Crops() {
    }

    /** A rectangle of an image: top-left pixel ({@code left}, {@code top}) and its size. */
    public record Box(int left, int top, int width, int height) {
        public Box {
            if (left < 0 || top < 0 || width <= 0 || height <= 0) {
                throw new IllegalArgumentException("bad box: left " + left + ", top " + top + ", " + width + "x"
                        + height);
            }
        }

        /** The same rectangle seen in the mirror image of an image {@code imageWidth} wide. */
        public Box mirrored(int imageWidth) {
            return new Box(imageWidth - left - width, top, width, height);
        }
    }

    /** One crop of an image: the {@code box} of the image, then mirrored (left–right) if {@code mirror}. */
    public record View(Box box, boolean mirror) {
        public RgbImage apply(RgbImage img) {
            RgbImage c = img.crop(box);
            return mirror ? c.flipHorizontal() : c;
        }
    }

    /**
     * torchvision's {@code center_crop} box: {@code top = int(round((h − size) / 2))}, left likewise; Python
     * rounds halves to even, so an odd margin puts the extra pixel on the far side when the half is even.
     */
    public static Box centerBox(int width, int height, int cropWidth, int cropHeight) {
        checkFits(width, height, cropWidth, cropHeight);
        int top = (int) Math.rint((height - cropHeight) / 2.0);
        int left = (int) Math.rint((width - cropWidth) / 2.0);
        return new Box(left, top, cropWidth, cropHeight);
    }

    /** torchvision's {@code CenterCrop(size)} (the image must be at least {@code size} on both sides). */
    public static RgbImage centerCrop(RgbImage img, int size) {
        return img.crop(centerBox(img.width(), img.height(), size, size));
    }

    /**
     * torchvision's {@code five_crop}: top-left, top-right, bottom-left, bottom-right, center, of size
     * {@code size} × {@code size}.
     */
    public static List<Box> fiveCropBoxes(int width, int height, int size) {
        checkFits(width, height, size, size);
        return List.of(new Box(0, 0, size, size), new Box(width - size, 0, size, size),
                new Box(0, height - size, size, size), new Box(width - size, height - size, size, size),
                centerBox(width, height, size, size));
    }

    /**
     * torchvision's {@code TenCrop(size)} in its order: the five crops of the image, then the five crops of its
     * mirror image (each the mirror of a crop of the image: crop 5 mirrors the top-right corner, crop 6 the
     * top-left, and so on; the mirrored center differs by a pixel from the center when the margin is odd).
     */
    public static List<View> tenCropViews(int width, int height, int size) {
        List<View> views = new ArrayList<>(10);
        for (Box b : fiveCropBoxes(width, height, size)) {
            views.add(new View(b, false));
        }
        for (Box b : fiveCropBoxes(width, height, size)) {
            // box b of the mirror image is box b.mirrored(width) of the image, mirrored
            views.add(new View(b.mirrored(width), true));
        }
        return views;
    }

    /** torchvision's {@code TenCrop(size)} of an (already resized) image. */
    public static List<RgbImage> tenCrop(RgbImage img, int size) {
        List<RgbImage> out = new ArrayList<>(10);
        for (View v : tenCropViews(img.width(), img.height(), size)) {
            out.add(v.apply(img));
        }
        return out;
    }

    /**
     * One of the paper's 144 crops: resize the image's shorter side to {@code scale}, take the square
     * {@code square} of that (left/center/right, or top/center/bottom for portrait images), then within the square
     * either the crop {@code crop} (a corner or the center) or, when {@code wholeSquare}, the whole square resized to
     * the crop size; finally mirror it if {@code mirror}.
     */
    public record PaperView(int scale, Box square, Box crop, boolean wholeSquare, boolean mirror) {
    }

    /**
     * The paper's 144 crops (Szegedy et al. 2014, §7) of a {@code width × height} image, in the order
     * scale → square → (top-left, top-right, bottom-left, bottom-right, center, whole square) → (as is, mirrored):
     * 4 scales × 3 squares × 6 crops × 2 = 144 for four scales. Squares are placed with torchvision's center
     * rounding; a square image gives its one square three times, so the count stays 144.
     */
    public static List<PaperView> paperViews(int width, int height, int crop, int... scales) {
        List<PaperView> views = new ArrayList<>(scales.length * 36);
        for (int scale : scales) {
            if (scale < crop) {
                throw new IllegalArgumentException("scale " + scale + " is smaller than the crop " + crop);
            }
            int[] size = ImageResize.shorterSideSize(width, height, scale);
            int w = size[0];
            int h = size[1];
            Box center = centerBox(w, h, scale, scale);
            List<Box> squares = w >= h
                    ? List.of(new Box(0, 0, scale, scale), center, new Box(w - scale, 0, scale, scale))
                    : List.of(new Box(0, 0, scale, scale), center, new Box(0, h - scale, scale, scale));
            for (Box square : squares) {
                for (Box b : fiveCropBoxes(scale, scale, crop)) {
                    views.add(new PaperView(scale, square, b, false, false));
                    views.add(new PaperView(scale, square, b, false, true));
                }
                Box whole = new Box(0, 0, scale, scale);
                views.add(new PaperView(scale, square, whole, true, false));
                views.add(new PaperView(scale, square, whole, true, true));
            }
        }
        return views;
    }

    /** The paper's 144 crops of a decoded image at {@link #PAPER_SCALES}, each {@code crop × crop}. */
    public static List<RgbImage> paperCrops(RgbImage img, int crop) {
        return paperCrops(img, crop, PAPER_SCALES);
    }

    /**
     * The paper's crops at the given scales: each scale resized once (Pillow bilinear, as {@code Resize}), each
     * whole square resized to {@code crop × crop} the same way.
     */
    public static List<RgbImage> paperCrops(RgbImage img, int crop, int... scales) {
        List<PaperView> views = paperViews(img.width(), img.height(), crop, scales);
        List<RgbImage> out = new ArrayList<>(views.size());
        int scale = -1;
        RgbImage resized = null;
        Box squareBox = null;
        RgbImage square = null;
        RgbImage squareResized = null;
        for (PaperView v : views) {
            if (v.scale() != scale) {
                scale = v.scale();
                resized = ImageResize.resizeShorterSide(img, scale);
                squareBox = null;
            }
            if (!v.square().equals(squareBox)) {
                squareBox = v.square();
                square = resized.crop(squareBox);
                squareResized = null;
            }
            RgbImage c;
            if (v.wholeSquare()) {
                if (squareResized == null) {
                    squareResized = ImageResize.resize(square, crop, crop);
                }
                c = squareResized;
            } else {
                c = square.crop(v.crop());
            }
            out.add(v.mirror() ? c.flipHorizontal() : c);
        }
        return out;
    }

    private static void checkFits(int width, int height, int cropWidth, int cropHeight) {
        if (cropWidth <= 0 || cropHeight <= 0 || cropWidth > width || cropHeight > height) {
            throw new IllegalArgumentException("cannot crop " + cropWidth + "x" + cropHeight + " from a " + width
                    + "x" + height + " image");
        }
    }
}
