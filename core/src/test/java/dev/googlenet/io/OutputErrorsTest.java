package dev.googlenet.io;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Output errors in words, with the path the user gave (never the temporary file's), and nothing half-written
 * left behind: permission denied, a missing folder, a folder in the way, a full disk.
 */
class OutputErrorsTest {
    @TempDir
    Path dir;

    private static final Map<String, Tensor> ONE = Map.of("x", Tensor.zeros(2, 2));

    private static String fails(Path target) {
        String m = assertThrows(IOException.class, () -> Safetensors.write(target, ONE, Map.of())).getMessage();
        System.out.println("MESSAGE " + m);
        assertFalse(m.contains(".tmp"), m);
        return m;
    }

    private void noLeftovers(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
            }
        }
    }

    /** A folder this process cannot write into: a read-only one, or (as root, who writes anywhere) sysfs. */
    private Path unwritableFolder() throws IOException {
        Path ro = dir.resolve("read-only");
        Files.createDirectory(ro);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (!Files.isWritable(ro)) {
            return ro;
        }
        Path sys = Path.of("/sys/kernel");
        assumeTrue(Files.isDirectory(sys), "no unwritable folder available");
        return sys;
    }

    @Test
    void permissionDenied() throws IOException {
        Path folder = unwritableFolder();
        Path target = folder.resolve("out.safetensors");
        assertEquals(target + ": permission denied", fails(target));
    }

    @Test
    void aMissingFolder() throws IOException {
        Path target = dir.resolve("no-such-folder").resolve("out.safetensors");
        assertEquals(target + ": the folder " + target.getParent() + " does not exist", fails(target));
        // a folder nothing can be created in (procfs): not "missing", since it exists
        Path proc = Path.of("/proc/out.safetensors");
        assumeTrue(Files.isDirectory(proc.getParent()));
        assertEquals(proc + ": cannot create files in /proc", fails(proc));
        assertEquals("/proc/fuzzrun: cannot create files in /proc",
                assertThrows(IOException.class, () -> AtomicWrite.createFolder(Path.of("/proc/fuzzrun")))
                        .getMessage());
    }

    @Test
    void aFolderInTheWay() throws IOException {
        Path target = dir.resolve("taken.safetensors");
        Files.createDirectory(target);
        assertEquals(target + ": is a folder; give a file name to write", fails(target));
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(file + ": is a file, not a folder",
                assertThrows(IOException.class, () -> AtomicWrite.createFolder(file)).getMessage());
        noLeftovers(dir);
    }

    @Test
    void aFullDiskLeavesNothingBehind() throws IOException {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        assumeTrue(Files.exists(full), "no /dev/full");
        Path target = dir.resolve("out.safetensors");
        IOException e = assertThrows(IOException.class, () -> AtomicWrite.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3})); // half of the file written, then the disk fills
            try (FileChannel disk = FileChannel.open(full, StandardOpenOption.WRITE)) {
                disk.write(ByteBuffer.wrap(new byte[4096]));
            }
        }));
        System.out.println("MESSAGE " + e.getMessage());
        assertEquals(target + ": the disk is full (no space left on the device)", e.getMessage());
        assertFalse(Files.exists(target));
        noLeftovers(dir);
    }

    @Test
    void staleTemporaryFilesAreRecognisedAndOnlyThey() throws IOException {
        Files.writeString(dir.resolve(".weights-epoch002.safetensors.1x2y3z.tmp"), "half");
        Files.writeString(dir.resolve(".metrics.csv.zzz.tmp"), "half");
        Files.writeString(dir.resolve("notes.tmp"), "mine");
        Files.writeString(dir.resolve("weights-epoch001.safetensors"), "kept");
        assertEquals(2, AtomicWrite.removeStale(dir));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(java.util.List.of("notes.tmp", "weights-epoch001.safetensors"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(AtomicWrite.removeStale(dir.resolve("absent")) == 0);
    }
}
