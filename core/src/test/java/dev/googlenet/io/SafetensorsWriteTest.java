package dev.googlenet.io;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writing replaces the target atomically through a temporary file beside it. */
class SafetensorsWriteTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void overwritingLeavesACompleteNewFileAndNoTemporaries() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, Map.of("old", Tensor.of(new float[] {1f, 2f, 3f}, 3)), Map.of("v", "1"));
        long oldSize = Files.size(file);

        Safetensors.write(file, Map.of("new", Tensor.of(new float[] {4f}, 1)), Map.of());

        assertEquals(List.of("w.safetensors"), listing());
        SafetensorsFile f = Safetensors.read(file);
        assertEquals(List.of("new"), f.names());
        assertTrue(f.metadata().isEmpty());
        assertArrayEquals(new float[] {4f}, f.tensor("new").data());
        assertTrue(Files.size(file) < oldSize, "the new, smaller file must not keep the old file's tail");
    }

    @Test
    void relativePathWorks() throws IOException {
        // The temporary file is placed beside the absolute target, also when the caller passes a relative path.
        Path file = Path.of("target", "safetensors-relative-" + ProcessHandle.current().pid() + ".safetensors");
        Files.createDirectories(file.getParent());
        try {
            Safetensors.write(file, Map.of("x", Tensor.of(new float[] {7f}, 1)), Map.of());
            assertArrayEquals(new float[] {7f}, Safetensors.read(file).tensor("x").data());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void failedWriteRemovesItsTemporaryAndKeepsTheTarget() throws IOException {
        // A non-empty directory cannot be replaced by a file, so the final rename fails after all data was written.
        Path target = dir.resolve("busy.safetensors");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x");

        assertThrows(IOException.class,
                () -> Safetensors.write(target, Map.of("x", Tensor.of(new float[] {1f}, 1)), Map.of()));

        assertEquals(List.of("busy.safetensors"), listing());
        assertEquals("x", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void reservedNameIsRefusedBeforeTouchingTheFile() throws IOException {
        Path file = dir.resolve("r.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.of(new float[] {1f}, 1)), Map.of());
        byte[] before = Files.readAllBytes(file);

        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", Tensor.of(new float[] {1f}, 1)), Map.of()));

        assertTrue(e.getMessage().contains("__metadata__ is reserved"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("r.safetensors"), listing());
    }

    @Test
    void newFileGetsOrdinaryPermissions() throws IOException {
        // The temporary file is created like any new file (umask), not owner-only as Files.createTempFile would.
        Path file = dir.resolve("p.safetensors");
        Path plain = Files.createFile(dir.resolve("plain"));
        Safetensors.write(file, Map.of("a", Tensor.of(new float[] {1f}, 1)), Map.of());
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
        }
    }
}
