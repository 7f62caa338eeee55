package dev.googlenet.cli;

import dev.googlenet.train.EvalResult;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.GrayPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The confusion matrix as a picture: rows are the true classes, columns the predicted ones, each cell shaded by
 * the share of its row (dark = most of the class) and labelled with its count.
 */
final class ConfusionPlot {
    private ConfusionPlot() {
    }

    static void write(EvalResult result, Path file) throws IOException {
        long[][] m = result.confusion();
        int k = m.length;
        double[] xs = new double[k * k], ys = new double[k * k], zs = new double[k * k];
        for (int t = 0; t < k; t++) {
            long row = 0;
            for (long v : m[t]) {
                row += v;
            }
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                xs[i] = p;
                ys[i] = t;
                zs[i] = row == 0 ? 0 : (double) m[t][p] / row;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("share of the true class", new double[][] {xs, ys, zs});
        String[] names = result.classes().toArray(String[]::new);
        SymbolAxis predicted = new SymbolAxis("predicted class", names);
        predicted.setVerticalTickLabels(true);
        SymbolAxis actual = new SymbolAxis("true class", names);
        actual.setInverted(true); // the first class at the top, as in the text matrix
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(new GrayPaintScale(0, 1) {
            @Override
            public java.awt.Paint getPaint(double value) { // white for 0, dark for a whole row
                return super.getPaint(1 - value);
            }
        });
        XYPlot plot = new XYPlot(data, predicted, actual, renderer);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, k > 20 ? 8 : 12);
        for (int i = 0; i < zs.length; i++) {
            XYTextAnnotation count = new XYTextAnnotation(Long.toString(m[(int) ys[i]][(int) xs[i]]), xs[i], ys[i]);
            count.setFont(font);
            count.setPaint(zs[i] > 0.5 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(count);
        }
        JFreeChart chart = new JFreeChart(String.format(java.util.Locale.ROOT, "confusion matrix: top-1 %.2f%% of %d",
                100 * result.top1(), result.count()), JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        int side = Math.min(2400, 200 + 48 * k);
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, side, side);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
