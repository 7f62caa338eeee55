package dev.googlenet.bench;

import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Decoding the shared PNGs from memory, as the server does with an upload: {@code fast} is
 * {@link ImageDecoder#decode(byte[], String)} (its PNG fast path), {@code imageio} the ImageIO path it replaces
 * ({@link ImageDecoder#decodeWithImageIo}). Sample mode: read the p0.50 lines. The machine is noisy: run it a few
 * times and compare the paths within each run, e.g.
 * {@code java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main DecodeBench -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DecodeBench {
    @Param({"chelsea.png", "coffee.png", "astronaut.png", "camera.png", "motorcycle_left.png"})
    public String image;

    @Param({"imageio", "fast"})
    public String path;

    private byte[] data;

    @Setup
    public void setup() throws IOException {
        data = Files.readAllBytes(ReferenceFiles.image(image));
    }

    @Benchmark
    public RgbImage decode() throws ImageDecodeException {
        return path.equals("fast") ? ImageDecoder.decode(data, image) : ImageDecoder.decodeWithImageIo(data, image);
    }
}
