package dev.googlenet.data;

import dev.googlenet.data.Crops.Box;
import dev.googlenet.data.Crops.PaperView;
import dev.googlenet.data.Crops.View;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CropsTest {

    @Test
    void centerBoxRoundsLikePython() {
        // torchvision: int(round((h - 224) / 2.0)); Python rounds halves to even
        assertEquals(new Box(80, 16, 224, 224), Crops.centerBox(384, 256, 224, 224));
        assertEquals(new Box(80, 16, 224, 224), Crops.centerBox(383, 256, 224, 224)); // 79.5 → 80
        assertEquals(new Box(80, 16, 224, 224), Crops.centerBox(385, 256, 224, 224)); // 80.5 → 80
        assertEquals(new Box(82, 16, 224, 224), Crops.centerBox(389, 256, 224, 224)); // 82.5 → 82
        assertEquals(new Box(0, 0, 224, 224), Crops.centerBox(224, 224, 224, 224));
        assertThrows(IllegalArgumentException.class, () -> Crops.centerBox(200, 256, 224, 224));
    }

    @Test
    void centerCropTakesThePixels() {
        RgbImage img = ImageResizeTest.synthetic(9, 6);
        RgbImage c = Crops.centerCrop(img, 4);
        Box b = Crops.centerBox(9, 6, 4, 4); // left round(2.5) = 2, top 1
        assertEquals(new Box(2, 1, 4, 4), b);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(img.get(x + 2, y + 1, ch), c.get(x, y, ch));
                }
            }
        }
    }

    @Test
    void tenCropGeometryIsTorchvisions() {
        // a 383x256 image (rocket.jpg after Resize(256)), 224 crops: margins 159 and 32
        List<View> views = Crops.tenCropViews(383, 256, 224);
        assertEquals(10, views.size());
        List<View> expected = List.of(
                new View(new Box(0, 0, 224, 224), false), // top-left
                new View(new Box(159, 0, 224, 224), false), // top-right
                new View(new Box(0, 32, 224, 224), false), // bottom-left
                new View(new Box(159, 32, 224, 224), false), // bottom-right
                new View(new Box(80, 16, 224, 224), false), // center: round(79.5) = 80
                // five_crop of the mirror image: its top-left is the mirror of our top-right, and so on
                new View(new Box(159, 0, 224, 224), true),
                new View(new Box(0, 0, 224, 224), true),
                new View(new Box(159, 32, 224, 224), true),
                new View(new Box(0, 32, 224, 224), true),
                new View(new Box(79, 16, 224, 224), true)); // mirror image's center 80 is our 383 − 224 − 80 = 79
        assertEquals(expected, views);
    }

    @Test
    void tenCropPixelsAreFiveCropsOfTheImageAndOfItsMirror() {
        RgbImage img = ImageResizeTest.synthetic(13, 9);
        List<RgbImage> crops = Crops.tenCrop(img, 6);
        assertEquals(10, crops.size());
        RgbImage mirror = img.flipHorizontal();
        List<Box> five = Crops.fiveCropBoxes(13, 9, 6);
        for (int i = 0; i < 5; i++) {
            assertEquals(img.crop(five.get(i)), crops.get(i), "crop " + i);
            assertEquals(mirror.crop(five.get(i)), crops.get(i + 5), "crop " + (i + 5));
        }
        // mirror pairs: the mirror image's top-left is the flipped top-right, and vice versa
        assertEquals(crops.get(1).flipHorizontal(), crops.get(5));
        assertEquals(crops.get(0).flipHorizontal(), crops.get(6));
        assertEquals(crops.get(3).flipHorizontal(), crops.get(7));
        assertEquals(crops.get(2).flipHorizontal(), crops.get(8));
        // odd margin (7): the two centers sit a pixel apart, so they are not mirrors of each other
        assertFalse(crops.get(4).flipHorizontal().equals(crops.get(9)));
        assertEquals(img.crop(3, 2, 6, 6).flipHorizontal(), crops.get(9));
    }

    @Test
    void paperViewsLandscape() {
        // 640x427 (rocket.jpg): at scale 256 the image is 383x256
        List<PaperView> views = Crops.paperViews(640, 427, 224, Crops.PAPER_SCALES);
        assertEquals(144, views.size());
        assertEquals(4 * 3 * 6 * 2, views.size());
        // the first scale: squares left / center / right of a 383-wide image
        List<Box> squares = views.subList(0, 36).stream().map(PaperView::square).distinct().toList();
        assertEquals(List.of(new Box(0, 0, 256, 256), new Box(64, 0, 256, 256), new Box(127, 0, 256, 256)), squares);
        // within a square: 4 corners, center, whole square; each as is and mirrored
        List<PaperView> first = views.subList(0, 12);
        Box[] inner = {new Box(0, 0, 224, 224), new Box(32, 0, 224, 224), new Box(0, 32, 224, 224),
            new Box(32, 32, 224, 224), new Box(16, 16, 224, 224), new Box(0, 0, 256, 256)};
        for (int i = 0; i < 12; i++) {
            PaperView v = first.get(i);
            assertEquals(256, v.scale());
            assertEquals(inner[i / 2], v.crop());
            assertEquals(i / 2 == 5, v.wholeSquare());
            assertEquals(i % 2 == 1, v.mirror());
        }
        // the largest scale: 352 → 527x352, squares at 0, round(87.5) = 88, 175
        List<Box> last = views.subList(108, 144).stream().map(PaperView::square).distinct().toList();
        assertEquals(List.of(new Box(0, 0, 352, 352), new Box(88, 0, 352, 352), new Box(175, 0, 352, 352)), last);
        assertArrayEquals(new int[] {256, 288, 320, 352},
                views.stream().mapToInt(PaperView::scale).distinct().toArray());
        Set<PaperView> distinct = new HashSet<>(views);
        assertEquals(144, distinct.size());
    }

    @Test
    void paperViewsPortraitUseTopCenterBottom() {
        List<PaperView> views = Crops.paperViews(300, 451, 224, 256);
        assertEquals(36, views.size());
        // 256x384: squares top / center / bottom
        List<Box> squares = views.stream().map(PaperView::square).distinct().toList();
        assertEquals(List.of(new Box(0, 0, 256, 256), new Box(0, 64, 256, 256), new Box(0, 128, 256, 256)), squares);
    }

    @Test
    void paperCropsPixels() {
        RgbImage img = ImageResizeTest.synthetic(60, 40);
        int[] scales = {24, 30};
        List<RgbImage> crops = Crops.paperCrops(img, 20, scales);
        List<PaperView> views = Crops.paperViews(60, 40, 20, scales);
        assertEquals(2 * 36, crops.size());
        for (int i = 0; i < crops.size(); i++) {
            PaperView v = views.get(i);
            RgbImage c = crops.get(i);
            assertEquals(20, c.width());
            assertEquals(20, c.height());
            RgbImage square = ImageResize.resizeShorterSide(img, v.scale()).crop(v.square());
            RgbImage plain = v.wholeSquare() ? ImageResize.resize(square, 20, 20) : square.crop(v.crop());
            assertEquals(v.mirror() ? plain.flipHorizontal() : plain, c, "crop " + i + " " + v);
            if (v.mirror()) {
                assertEquals(crops.get(i - 1).flipHorizontal(), c, "mirror pair " + (i - 1) + "/" + i);
            }
        }
    }

    @Test
    void squareImageStillGives144() {
        assertEquals(144, Crops.paperViews(500, 500, 224, Crops.PAPER_SCALES).size());
        assertThrows(IllegalArgumentException.class, () -> Crops.paperViews(500, 500, 224, 200));
    }
}
