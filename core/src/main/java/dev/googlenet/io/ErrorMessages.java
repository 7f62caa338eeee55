package dev.googlenet.io;

import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * What a command line prints for a failure: one line in words, with control characters escaped (a message may
 * quote a file's bytes), no exception class names, and for an {@link Error} what happened and what to do about
 * it. The stack trace is for {@code --debug}. Shared by {@code googlenet} and {@code googlenet spark}.
 */
public final class ErrorMessages {
    /** A Java class name in front of a message ("java.io.IOException: "), as wrapped exceptions write them. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*|\\b)");
    /** How {@code googlenet} shows a stack trace. */
    public static final String DEBUG_FLAG = "--debug";

    private ErrorMessages() {
    }

    /** The line for {@code t}, telling to run again with {@link #DEBUG_FLAG} for the stack trace. */
    public static String of(Throwable t) {
        return of(t, DEBUG_FLAG);
    }

    /** The line for {@code t}; {@code debug} says how to get the stack trace (a flag, or an environment variable). */
    public static String of(Throwable t, String debug) {
        String report = "run again with " + debug + " for the stack trace and report it";
        while ((t instanceof UncheckedIOException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause(); // the wrapper's message is its cause's, class name first
        }
        String message = t.getMessage() == null ? "" : CLASS_PREFIX.matcher(t.getMessage()).replaceAll("").strip();
        String text = switch (t) {
            case OutOfMemoryError e -> outOfMemory(message);
            case StackOverflowError e -> "ran out of stack (a call nested too deeply); raise it with "
                    + "GOOGLENET_JAVA_OPTS=-Xss64m, or " + report;
            case Error e -> "internal error" + (message.isEmpty() ? "" : ": " + message) + "; " + report;
            case NullPointerException e -> "internal error (a value was missing); " + report;
            default -> message.isEmpty() ? "internal error; " + report : message;
        };
        return OneLine.of(text);
    }

    /** Out of memory: how much the heap could hold, and how to raise it. */
    private static String outOfMemory(String what) {
        Runtime rt = Runtime.getRuntime();
        return "out of memory" + (what.isEmpty() ? "" : " (" + what + ")") + ": the task needed more than the "
                + Limits.bytes(rt.maxMemory()) + " this Java may use; " + Limits.RAISE_HEAP;
    }
}
