package dev.googlenet.serve;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadTestTest {

    @Test
    void countsEveryRequestAndReadsTheServersBatchSizes() throws Exception {
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", Fixtures.smallModel(6)),
                Fixtures.config(4, Duration.ofMillis(20), 64, Duration.ofSeconds(60), 1 << 20))) {
            LoadTest.Result r = LoadTest.run(server.uri(), "tiny", Fixtures.png(40, 40, 1), 24, 4, 2,
                    Duration.ofSeconds(120));
            assertEquals(24, r.requests());
            assertEquals(Map.of(200, 24), r.statuses());
            assertEquals(0, r.errors());
            assertTrue(r.meanBatch() >= 1 && r.meanBatch() <= 4, "mean batch " + r.meanBatch());
            assertTrue(r.p50() > 0 && r.p50() <= r.p90() && r.p90() <= r.p99(), r.line());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LoadTest.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("RESULT n=24 c=4 "), out.toString());
            // errors count everything but 200 and 503
            LoadTest.Result failing = new LoadTest.Result(3, 1, 1, 3, 1, 1, 1, 1, Map.of(200, 1, 503, 1, 400, 1), 2);
            assertEquals(3, failing.errors());
        }
    }

    @Test
    void sendsPreprocessedTensorsAsBinaryDataToTheInferEndpoint() throws Exception {
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", Fixtures.smallModel(6)),
                Fixtures.config(4, Duration.ofMillis(20), 64, Duration.ofSeconds(60), 1 << 20))) {
            var request = LoadTest.tensorRequest(server.uri(), "tiny", Fixtures.png(40, 40, 1));
            String head = new String(request.bytes(), 0, 40, StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("POST /v2/models/tiny/infer HTTP/1.1\r\n"), head);
            LoadTest.Result r = LoadTest.run(server.uri(), "tiny", request, 12, 4, 1, Duration.ofSeconds(120));
            assertEquals(Map.of(200, 12), r.statuses(), r.line());
            assertTrue(r.meanBatch() >= 1 && r.meanBatch() <= 4, "mean batch " + r.meanBatch());
        }
    }

    /** The load test's own HTTP/1.1 client: Content-Length, chunked and close-delimited bodies, one connection. */
    @Test
    void theLoopbackConnectionReadsEachKindOfBody() throws Exception {
        String[] replies = {
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        };
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(30_000);
            Thread server = Thread.ofPlatform().start(() -> {
                try (java.net.Socket s = listener.accept()) {
                    s.setSoTimeout(30_000);
                    var in = s.getInputStream();
                    for (String reply : replies) {
                        // the request: headers, then the 3-byte body its Content-Length announces
                        StringBuilder head = new StringBuilder();
                        while (!head.toString().endsWith("\r\n\r\n")) {
                            head.append((char) in.read());
                        }
                        in.readNBytes(3);
                        s.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            URI url = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/predictions/x?topk=1");
            var request = LoopbackConnection.Prepared.post(url, "image/png", Map.of("X-Test", "1"), new byte[3]);
            assertTrue(new String(request.bytes(), StandardCharsets.US_ASCII).startsWith(
                    "POST /predictions/x?topk=1 HTTP/1.1\r\n"));
            try (LoopbackConnection c = new LoopbackConnection(Duration.ofSeconds(30))) {
                assertEquals(200, c.send(request));
                assertEquals(503, c.send(request));
                assertEquals(404, c.send(request));
            }
            server.join(30_000);
        }
    }

    @Test
    void refusesAnyAddressButLoopback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadTest.run(
                URI.create("http://192.0.2.1:8080/"), "tiny", new byte[1], 1, 1, 0, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void badCommandLinesAndUnreachableServersAreOneLineErrors() throws Exception {
        Path image = Files.createTempFile("loadtest", ".png");
        try {
            Files.write(image, Fixtures.png(8, 8, 1));
            int freePort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                freePort = s.getLocalPort();
            }
            String img = image.toString(), url = "http://127.0.0.1:" + freePort + "/";
            Object[][] cases = { // arguments, exit status, what the one line says
                    {"--image " + img, 2, "--model is required"},
                    {"--model m --image /no/such.png", 2, "--image /no/such.png: cannot be read (no such file)"},
                    {"--model m --image " + img + " -n many", 2, "-n is 'many'; it takes a whole number of at least 1"},
                    {"--model m --image " + img + " -c 0", 2, "-c is '0'"},
                    {"--model m --image " + img + " --send json", 2, "--send is 'json'"},
                    {"--model m --image " + img + " --bogus 1", 2, "unknown option '--bogus'"},
                    {"--model m --image " + img + " --url http://192.0.2.1:8080/", 2, "loopback only"},
                    {"--model m --image " + img + " -n 2 --url " + url, 1, "cannot connect to " + url},
                    {"--model m --image " + img + " --send tensor --url " + url, 1, "cannot connect to " + url},
            };
            for (Object[] c : cases) {
                String args = (String) c[0];
                ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
                int code = LoadTest.run(args.split(" "), new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                String e = err.toString(StandardCharsets.UTF_8);
                assertEquals(c[1], code, args + " → " + e);
                assertTrue(e.startsWith("loadtest: ") && e.contains((String) c[2]), args + " → " + e);
                assertEquals(1, e.lines().count(), "one line: " + e);
                assertEquals("", out.toString(StandardCharsets.UTF_8), args);
            }
            ByteArrayOutputStream help = new ByteArrayOutputStream();
            assertEquals(0, LoadTest.run(new String[] {"--help"}, new PrintStream(help, true, StandardCharsets.UTF_8),
                    System.err));
            assertTrue(help.toString(StandardCharsets.UTF_8).startsWith("usage: bin/loadtest"));
        } finally {
            Files.deleteIfExists(image);
        }
    }
}
