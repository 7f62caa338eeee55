package dev.googlenet.io;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * A failure in words for a user: the messages along its chain of causes, each said once, and for the
 * exceptions that carry no message (a decoder's bare {@code ArrayIndexOutOfBoundsException}, a timeout) what
 * they mean, never a Java class name.
 */
public final class Failures {
    private Failures() {
    }

    /** The messages of {@code e} and its causes, joined by ": ", one line. */
    public static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) { // a cycle of causes stops too
            String m = t.getMessage();
            String said = m == null || m.isBlank() ? words(t) : m;
            if (!sb.toString().contains(said)) {
                sb.append(sb.isEmpty() ? "" : ": ").append(said);
            }
        }
        return OneLine.of(sb.toString());
    }

    /** What an exception without a message means. */
    private static String words(Throwable t) {
        return switch (t) {
            case EOFException e -> "unexpected end of data";
            case NoSuchFileException e -> "no such file";
            case FileNotFoundException e -> "no such file";
            case AccessDeniedException e -> "permission denied";
            case UnknownHostException e -> "unknown host";
            case ConnectException e -> "connection refused";
            case SocketTimeoutException e -> "timed out";
            case HttpTimeoutException e -> "timed out";
            case IndexOutOfBoundsException e -> "data out of bounds (malformed)";
            case ArithmeticException e -> "arithmetic overflow (malformed sizes)";
            case NegativeArraySizeException e -> "negative size (malformed)";
            case OutOfMemoryError e -> "out of memory";
            default -> "failed without saying why";
        };
    }
}
