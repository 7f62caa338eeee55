package dev.googlenet.cli;

import dev.googlenet.onnx.ImportedModel;
import dev.googlenet.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "fetch", description = "Download the ONNX model zoo's GoogLeNet (opset 12, converted from Caffe) into "
        + "a cache folder on first use and check that it is the expected graph. Offline, use --model FILE instead.")
final class FetchCommand implements Callable<Integer> {
    static final String ZOO_URL = "https://github.com/onnx/models/raw/main/validated/vision/classification/"
            + "inception_and_googlenet/googlenet/model/googlenet-12.onnx";

    @Option(names = "--url", defaultValue = ZOO_URL, description = "where to download from (default: the ONNX model zoo)")
    String url;

    @Option(names = "--cache", description = "cache folder (default: $GOOGLENET_CACHE or ~/.cache/googlenet)")
    Path cache;

    @Option(names = "--timeout", defaultValue = "30", description = "seconds to wait for the server (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = cache != null ? cache : defaultCache();
        Path target = dir.resolve(fileName(url));
        if (Files.isRegularFile(target)) {
            describe(check(target), target, "cached");
            return 0;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            download(URI.create(url), tmp);
            ImportedModel m = check(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            describe(m, target, "downloaded");
            return 0;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void download(URI uri, Path to) throws IOException, InterruptedException {
        if ("file".equals(uri.getScheme())) {
            try (InputStream in = Files.newInputStream(Path.of(uri))) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
            return;
        }
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        HttpResponse<Path> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeoutSeconds * 10L)).build(),
                    HttpResponse.BodyHandlers.ofFile(to));
        } catch (IOException e) {
            throw new IOException("could not download " + uri + " (" + dev.googlenet.io.Failures.describe(e)
                    + "). No network here? Download the file "
                    + "on a connected machine and pass it with --model FILE, or put it at "
                    + (cache != null ? cache : defaultCache()).resolve(fileName(uri.toString())), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("could not download " + uri + ": HTTP " + response.statusCode());
        }
    }

    /** The file must import as a GoogLeNet taking Caffe-style input. */
    private static ImportedModel check(Path file) throws IOException {
        ImportedModel m = OnnxImporter.importModel(file);
        if (m.googLeNet() == null) {
            throw new IOException(file + ": not the expected GoogLeNet graph: " + m.notGoogLeNet());
        }
        return m;
    }

    private static void describe(ImportedModel m, Path file, String how) {
        System.out.println(how + ": " + file);
        System.out.println("  GoogLeNet (" + m.googLeNet().config().variant().name().toLowerCase() + "), input '"
                + m.inputName() + "', outputs " + m.outputNames() + ", preprocessing " + m.preprocess());
        System.out.println("  use it with: googlenet classify --model " + file + " IMAGE…");
    }

    static Path defaultCache() {
        String env = System.getenv("GOOGLENET_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "googlenet");
    }

    private static String fileName(String url) {
        String name = url.substring(url.lastIndexOf('/') + 1);
        return name.isBlank() ? "model.onnx" : name;
    }
}
