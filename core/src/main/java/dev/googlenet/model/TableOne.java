package dev.googlenet.model;

import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Lrn;
import dev.googlenet.nn.MaxPool2d;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paper's Table 1, computed from a model: one row per stage with its output size, depth, the Inception
 * columns, parameters and multiply-adds ("ops"). As in the paper, the 1×1 reduce + 3×3 stem convolutions form
 * one row of depth 2, and the auxiliary heads are left out of the totals (they are dropped at inference).
 */
public final class TableOne {

    /** One row; Inception columns are 0 where they do not apply. */
    public record Row(String name, String type, String patch, int[] output, int depth,
                      int c1x1, int c3x3red, int c3x3, int c5x5red, int c5x5, int poolProj,
                      long params, long ops) {
    }

    private final List<Row> rows;
    private final int inputSize;
    private final GoogLeNet model;

    public TableOne(GoogLeNet model, int inputSize) {
        this.model = model;
        this.inputSize = inputSize;
        this.rows = build(model, inputSize);
    }

    public List<Row> rows() {
        return rows;
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    public long totalOps() {
        return rows.stream().mapToLong(Row::ops).sum();
    }

    /** Parameters of the auxiliary heads (training only). */
    public long auxParams() {
        return model.auxHeads().stream().mapToLong(TableOne::params).sum();
    }

    private static List<Row> build(GoogLeNet model, int size) {
        List<Row> out = new ArrayList<>();
        List<Layer> layers = model.trunk().layers();
        List<String> names = model.trunk().names();
        int[] shape = {1, model.config().inputChannels(), size, size};
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String name = names.get(i);
            int[] next = layer.outputShape(shape);
            long params = params(layer), ops = layer.multiplyAdds(shape);
            Layer following = i + 1 < layers.size() ? layers.get(i + 1) : null;
            switch (layer) {
                case ConvBlock c when c.conv().kernelH() == 1
                        && following instanceof ConvBlock c3 && c3.conv().kernelH() == 3 -> {
                    // the paper's "convolution 3×3/1, depth 2": a 1×1 reduce then the 3×3
                    int[] after = c3.outputShape(next);
                    out.add(new Row(name + "+" + names.get(i + 1), "convolution", patch(c3), after, 2, 0,
                            c.conv().outChannels(), c3.conv().outChannels(), 0, 0, 0,
                            params + params(c3), ops + c3.multiplyAdds(next)));
                    shape = after;
                    i++;
                    continue;
                }
                case ConvBlock c -> out.add(row(name, "convolution", patch(c), next, 1, params, ops));
                case MaxPool2d p -> out.add(row(name, "max pool", p.kernel() + "×" + p.kernel() + "/" + p.stride(),
                        next, 0, 0, 0));
                case Lrn l -> out.add(row(name, "local response norm", "size " + l.size(), next, 0, 0, 0));
                case Inception inc -> {
                    InceptionSpec s = inc.spec();
                    out.add(new Row(name, "inception (" + name.substring("inception".length()) + ")", "", next, 2,
                            s.c1x1(), s.c3x3red(), s.c3x3(), s.c5x5red(), s.c5x5(), s.poolProj(), params, ops));
                }
                case AvgPool2d p -> out.add(row(name, "avg pool", p.kernel() + "×" + p.kernel() + "/" + p.stride(),
                        next, 0, 0, 0));
                case AdaptiveAvgPool2d p -> out.add(row(name, "adaptive avg pool", "", next, 0, 0, 0));
                case Dropout d -> out.add(row(name, String.format(Locale.ROOT, "dropout (%.0f%%)", d.p() * 100),
                        "", next, 0, 0, 0));
                case Linear fc -> out.add(row(name, "linear", "", next, 1, params, ops));
                default -> { } // flatten: no row in the paper
            }
            shape = next;
        }
        return out;
    }

    private static Row row(String name, String type, String patch, int[] out, int depth, long params, long ops) {
        return new Row(name, type, patch, out, depth, 0, 0, 0, 0, 0, 0, params, ops);
    }

    private static String patch(ConvBlock c) {
        return c.conv().kernelH() + "×" + c.conv().kernelW() + "/" + c.conv().stride();
    }

    static long params(Layer layer) {
        long[] n = {0};
        layer.visitState("", (name, p) -> n[0] += p.value().size());
        return n[0];
    }

    /**
     * The paper's example of why 1×1 reductions matter: multiply-adds of Inception 4a's third branch at its input
     * size, with the reduction (as built) and without it (the big kernel on all input channels).
     */
    public long[] reductionExample() {
        InceptionSpec s = InceptionSpec.row("inception4a");
        int k = model.config().variant().branch3Kernel();
        int side = (int) Math.round(inputSize / 16.0); // 14 at 224: after four stride-2 stages
        GoogLeNetConfig c = model.config();
        if (c.smallInput() || c.width() != 1f) { // the model's own (scaled) row at its own map size
            Row r4a = rows.stream().filter(r -> r.name().equals("inception4a")).findFirst().orElseThrow();
            side = r4a.output()[2];
            s = ((Inception) model.trunk().layers().get(model.trunk().names().indexOf("inception4a"))).spec();
        }
        long hw = (long) side * side;
        long without = hw * s.c5x5() * k * k * s.in();
        long with = hw * s.c5x5red() * s.in() + hw * s.c5x5() * k * k * s.c5x5red();
        return new long[] {without, with};
    }

    /** The table as text, with totals and the reduction example. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-20s %-9s %-12s %5s %5s %8s %5s %8s %5s %9s %8s %8s%n";
        GoogLeNetConfig c = model.config();
        sb.append(String.format(Locale.ROOT, "GoogLeNet (%s) at %d×%d, %d classes%s%n",
                c.variant().name().toLowerCase(Locale.ROOT), inputSize, inputSize, c.numClasses(),
                (c.smallInput() ? ", small-input stem" : "") + (c.width() != 1f ? ", width " + c.width() : "")
                        + (c.inputChannels() != 3 ? ", " + c.inputChannels() + " input channel"
                        + (c.inputChannels() == 1 ? "" : "s") : "")));
        sb.append(String.format(Locale.ROOT, fmt, "type", "patch/str", "output size", "depth", "#1×1",
                "#3×3 red", "#3×3", "#5×5 red", "#5×5", "pool proj", "params", "ops"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.type(), r.patch(), size(r.output()), r.depth(),
                    blank(r.c1x1()), blank(r.c3x3red()), blank(r.c3x3()), blank(r.c5x5red()), blank(r.c5x5()),
                    blank(r.poolProj()), human(r.params()), human(r.ops())));
        }
        sb.append(String.format(Locale.ROOT, "total (without aux heads): %,d parameters (%s), %,d multiply-adds (%s)%n",
                totalParams(), human(totalParams()), totalOps(), human(totalOps())));
        if (auxParams() > 0) {
            sb.append(String.format(Locale.ROOT, "aux heads (training only): %,d parameters (%s)%n",
                    auxParams(), human(auxParams())));
        }
        long[] ex = reductionExample();
        int k = model.config().variant().branch3Kernel();
        sb.append(String.format(Locale.ROOT, "1×1 reduction, inception (4a) %d×%d branch: %s multiply-adds without "
                        + "the %d-filter reduce, %s with it (%.1f× fewer)%n", k, k, human(ex[0]), reduceFilters(), human(ex[1]),
                (double) ex[0] / ex[1]));
        return sb.toString();
    }

    private int reduceFilters() {
        return ((Inception) model.trunk().layers().get(model.trunk().names().indexOf("inception4a"))).spec()
                .c5x5red();
    }

    private static String size(int[] s) {
        return s.length == 4 ? s[2] + "×" + s[3] + "×" + s[1] : s[1] + "";
    }

    private static String blank(int v) {
        return v == 0 ? "" : Integer.toString(v);
    }

    static String human(long v) {
        if (v == 0) {
            return "";
        }
        if (v >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        }
        if (v >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1_000L) {
            return String.format(Locale.ROOT, "%.1fK", v / 1e3);
        }
        return Long.toString(v);
    }
}
