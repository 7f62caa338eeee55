package dev.googlenet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What the server tests share: a small model, images, and an HTTP client on loopback. */
final class Fixtures {
    /** A small-input GoogLeNet (32×32 crops, 10 classes, width 1/8): milliseconds per image. */
    static final Preprocess SMALL = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 36, 32);
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Fixtures() {
    }

    /**
     * A small random GoogLeNet of the paper variant. The torchvision variant at this width, freshly initialized,
     * gives the same logits for every image in eval mode (to the last bit), so a test comparing logits would pass
     * with another request's image; {@code FixturesTest} keeps this one's logits depending on the image.
     */
    static LoadedModel smallModel(long seed) {
        GoogLeNetConfig c = GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(10)
                .optSmallInput(true).optWidth(0.125f).optAuxHeads(false).optSeed(seed).build();
        return Models.of(new GoogLeNet(c), SMALL);
    }

    /** A test config on a free loopback port. */
    static ServeConfig config(int batchSize, Duration delay, int queueSize, Duration timeout, long maxBytes) {
        return new ServeConfig("127.0.0.1", 0, batchSize, delay, queueSize, timeout, 1, maxBytes, Duration.ZERO);
    }

    /** A width×height PNG with a gradient and a disc, so different images give different logits. */
    static byte[] png(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int dx = x - width / 2, dy = y - height / 3;
                boolean disc = dx * dx + dy * dy < width * height / 16;
                int r = (x * 255 / width + seed * 37) & 255, g = disc ? 230 : (y * 255 / height) & 255;
                int b = (seed * 91 + x * y) & 255;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return HeatmapPng.png(img);
    }

    /** A 45×38 test picture, decoded. */
    static RgbImage image(int seed) {
        return decode(png(45, 38, seed));
    }

    static RgbImage decode(byte[] png) {
        try {
            return ImageDecoder.decode(png, "test image");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(HTTP_TIMEOUT).GET().build());
    }

    static HttpResponse<String> post(URI base, String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(HTTP_TIMEOUT)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Reply.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }
}
