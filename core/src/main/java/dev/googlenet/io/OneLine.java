package dev.googlenet.io;

/**
 * Text quoted from a file, made safe to print: names and strings in a file may hold any bytes, so line breaks,
 * tabs, ESC and every other control character become visible escapes (a message stays one line and cannot move
 * the terminal's cursor), and very long text is cut short.
 */
public final class OneLine {
    /** Longest message kept whole; the rest is counted, not printed. */
    public static final int MAX_MESSAGE = 1000;

    private OneLine() {
    }

    /** {@code text} with control characters escaped, at most {@link #MAX_MESSAGE} characters plus a count. */
    public static String of(String text) {
        return of(text, MAX_MESSAGE);
    }

    /** As {@link #of(String)}, cut at {@code max} characters. */
    public static String of(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), max + 40));
        for (int i = 0; i < text.length(); i++) {
            if (b.length() >= max) {
                return b.append("… (").append(text.length() - i).append(" more characters)").toString();
            }
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // C0, DEL, C1 (ESC sequences, CSI) and the Unicode line/paragraph separators
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
