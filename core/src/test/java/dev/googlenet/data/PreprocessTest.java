package dev.googlenet.data;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreprocessTest {
    @Test
    void metadataRoundTrip() {
        for (Preprocess p : new Preprocess[] {Preprocess.TORCHVISION, Preprocess.CAFFE,
                Preprocess.TORCHVISION_GOOGLENET_PRETRAINED}) {
            assertEquals(p, Preprocess.fromMetadata(p.toMetadata()));
        }
        assertNull(Preprocess.fromMetadata(Map.of("other", "x")));
    }

    @Test
    void normalizesLikeTheirFrameworks() {
        // torchvision: (255/255 − 0.485)/0.229
        assertEquals((1f - 0.485f) / 0.229f, Preprocess.TORCHVISION.normalize(0, 255), 1e-6f);
        // Caffe: blue channel 200 − 104
        assertEquals(96f, Preprocess.CAFFE.normalize(0, 200), 0f);
    }

    @Test
    void rejectsMalformedMetadata() {
        var m = new java.util.HashMap<>(Preprocess.CAFFE.toMetadata());
        m.put("preprocess.mean", "1,2");
        var e = assertThrows(IllegalArgumentException.class, () -> Preprocess.fromMetadata(m));
        assertEquals("preprocess.mean is '1,2'; allowed: 3 comma-separated finite numbers", e.getMessage());
    }
}
