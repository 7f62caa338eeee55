package dev.googlenet.infer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FolderLabelsTest {
    private static final List<String> CLASSES = List.of("cat", "dog", "Crane", "crane", "bird");

    @Test
    void foldersNamedByClassNameMapThroughTheModelsNames() {
        assertArrayEquals(new int[] {4, 0, 1}, FolderLabels.map(List.of("bird", "cat", "DOG"), CLASSES));
        assertArrayEquals(new int[] {3, 2}, FolderLabels.map(List.of("crane", "Crane"), CLASSES), "exact first");
        assertArrayEquals(new int[] {1, 4}, FolderLabels.map(List.of("1", "4"), CLASSES));
        // ImageNet's own names: "Cardigan" (the corgi) and "cardigan" (the sweater) differ only in case
        List<String> imagenet = Models.defaultClassNames(1000);
        assertArrayEquals(new int[] {281, 207, 264, 474},
                FolderLabels.map(List.of("tabby", "golden retriever", "Cardigan", "cardigan"), imagenet));
    }

    @Test
    void unknownNamesAndClashesAreOneClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FolderLabels.map(List.of("cat", "zebra", "yak"), CLASSES));
        assertEquals("2 class folder(s) match none of the model's 5 class names: [zebra, yak] (the model's classes: "
                + "[cat, dog, Crane, crane, bird]; folders may also be class indices)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FolderLabels.map(List.of("CARDIGAN"), Models.defaultClassNames(1000)));
        assertEquals("class folder 'CARDIGAN' clashes: the model has 2 classes of that name (indices [264, 474]); "
                + "rename the folder to the class index it holds", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FolderLabels.map(List.of("7"), CLASSES));
        assertEquals("class folder '7' is beyond the model's 5 classes", e.getMessage());
    }
}
