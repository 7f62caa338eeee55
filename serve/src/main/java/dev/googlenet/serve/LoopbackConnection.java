package dev.googlenet.serve;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection of the load test: writes a request prepared once, reads the status and skips
 * the body. The JDK's HttpClient, on the same two cores as the server it measures, spent 2–6 core-ms per request
 * (more for the 602 KB tensor bodies) — CPU the server then lacks; a blocking socket with the bytes ready costs a
 * few copies. Content-Length and chunked bodies are read; anything else closes the connection, and the next request
 * opens a new one.
 */
final class LoopbackConnection implements AutoCloseable {
    /** A request as the bytes to write: request line, headers and body. */
    record Prepared(String host, int port, byte[] bytes) {
        static Prepared post(URI url, String contentType, Map<String, String> headers, byte[] body) {
            StringBuilder head = new StringBuilder();
            String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            head.append("POST ").append(path).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
            head.append("Content-Type: ").append(contentType).append("\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            return new Prepared(url.getHost(), url.getPort(), all);
        }
    }

    private final Duration timeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    LoopbackConnection(Duration timeout) {
        this.timeout = timeout;
    }

    /** Sends {@code request} and returns the response's status code once its body has been read. */
    int send(Prepared request) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(request.host(), request.port()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        }
        try {
            out.write(request.bytes());
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private int readResponse() throws IOException {
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h; !(h = line()).isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line().split(";")[0].strip(), 16)) > 0; ) {
                in.skipNBytes(size);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            in.skipNBytes(length);
        } else {
            close = true; // the body runs to the end of the connection
        }
        if (close) {
            close();
        }
        return code;
    }

    /** One CRLF-terminated line, without the CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing after a failure; nothing more to do
            }
            socket = null;
        }
    }
}
