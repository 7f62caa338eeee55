package dev.googlenet.serve;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The first part of a {@code multipart/form-data} body (RFC 7578): what a browser form or {@code curl -F} sends
 * when it uploads one file. Only the part's bytes are needed, so its headers are skipped, not parsed.
 */
final class Multipart {
    private Multipart() {
    }

    /** Whether a Content-Type is multipart/form-data. */
    static boolean isFormData(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** The body of the first part; a malformed body is a 400 naming what is missing. */
    static byte[] firstPart(byte[] body, String contentType) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int start = indexOf(body, delimiter, 0);
        if (start < 0) {
            throw ApiException.badRequest("multipart body without its boundary '" + boundary + "'");
        }
        byte[] headersEnd = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int content = indexOf(body, headersEnd, start + delimiter.length);
        if (content < 0) {
            throw ApiException.badRequest("multipart part without the blank line after its headers");
        }
        content += headersEnd.length;
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int end = indexOf(body, next, content);
        if (end < 0) {
            throw ApiException.badRequest("multipart part without a closing boundary");
        }
        byte[] part = new byte[end - content];
        System.arraycopy(body, content, part, 0, part.length);
        return part;
    }

    private static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (!b.isEmpty()) {
                    return b;
                }
            }
        }
        throw ApiException.badRequest("multipart/form-data without a boundary parameter");
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
