package dev.googlenet.train;

import java.util.List;
import java.util.Locale;

/**
 * What an evaluation measured.
 *
 * @param count     examples evaluated
 * @param loss      mean cross-entropy of the main classifier (no label smoothing)
 * @param top1      fraction whose label scored highest
 * @param top5      fraction whose label was among the five highest
 * @param confusion {@code confusion[true][predicted]} counts
 * @param classes   class names, in label order
 */
public record EvalResult(int count, double loss, double top1, double top5, long[][] confusion, List<String> classes) {

    /** Recall of each class: correct / examples of that class (NaN for a class without examples). */
    public double[] perClassAccuracy() {
        double[] out = new double[confusion.length];
        for (int c = 0; c < confusion.length; c++) {
            long total = 0;
            for (long v : confusion[c]) {
                total += v;
            }
            out[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return out;
    }

    /** Top-1/top-5 and loss, then the confusion matrix (rows: true class, columns: predicted) with per-class recall. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d examples: top-1 %.2f%%, top-5 %.2f%%, loss %.4f%n", count,
                100 * top1, 100 * top5, loss));
        int n = confusion.length;
        int nameWidth = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        long max = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int cell = Math.max(4, Long.toString(max).length() + 1);
        sb.append("confusion matrix (rows: true class, columns: predicted class)\n");
        sb.append(" ".repeat(nameWidth + 6));
        for (int c = 0; c < n; c++) {
            sb.append(String.format(Locale.ROOT, "%" + cell + "d", c));
        }
        sb.append("  recall\n");
        double[] recall = perClassAccuracy();
        for (int r = 0; r < n; r++) {
            sb.append(String.format(Locale.ROOT, "%3d %-" + nameWidth + "s  ", r, classes.get(r)));
            for (int c = 0; c < n; c++) {
                sb.append(String.format(Locale.ROOT, "%" + cell + "d", confusion[r][c]));
            }
            sb.append(Double.isNaN(recall[r]) ? "       —\n" // no examples of this class
                    : String.format(Locale.ROOT, "  %5.1f%%%n", 100 * recall[r]));
        }
        return sb.toString();
    }
}
