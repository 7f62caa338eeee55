package dev.googlenet.cli;

import dev.googlenet.train.EpochMetrics;
import dev.googlenet.train.TrainingListener;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Redraws {@code curves.png} in the run folder after every epoch: losses above, accuracies below. */
final class CurvesPlot implements TrainingListener {
    static final String FILE = "curves.png";
    private final PrintStream warnings;
    private boolean failed;

    CurvesPlot(PrintStream warnings) {
        this.warnings = warnings;
    }

    @Override
    public void epochFinished(EpochMetrics m, List<EpochMetrics> history, Path runFolder) {
        if (failed) {
            return;
        }
        try {
            write(history, runFolder.resolve(FILE));
        } catch (IOException | RuntimeException | Error e) { // a plot must never stop training
            failed = true;
            warnings.println("warning: could not draw " + FILE + " (" + e + "); training goes on");
        }
    }

    static void write(List<EpochMetrics> history, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection losses = new XYSeriesCollection();
        add(losses, series("train loss (total)", history, EpochMetrics::trainLoss));
        add(losses, series("train loss (main)", history, EpochMetrics::trainLossMain));
        add(losses, series("train loss (aux1)", history, EpochMetrics::trainLossAux1));
        add(losses, series("train loss (aux2)", history, EpochMetrics::trainLossAux2));
        add(losses, series("validation loss", history, EpochMetrics::valLoss));
        add(losses, series("test loss", history, EpochMetrics::testLoss));
        XYSeriesCollection acc = new XYSeriesCollection();
        add(acc, series("train top-1 %", history, e -> 100 * e.trainTop1()));
        add(acc, series("validation top-1 %", history, e -> 100 * e.valTop1()));
        add(acc, series("validation top-5 %", history, e -> 100 * e.valTop5()));
        add(acc, series("test top-1 %", history, e -> 100 * e.testTop1()));
        add(acc, series("test top-1 %, mirrored", history, e -> 100 * e.testTop1Mirror()));

        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        NumberAxis lossAxis = new NumberAxis("loss");
        lossAxis.setAutoRangeIncludesZero(false);
        NumberAxis accAxis = new NumberAxis("accuracy (%)");
        accAxis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(losses, null, lossAxis, new XYLineAndShapeRenderer(true, true)), 1);
        plot.add(new XYPlot(acc, null, accAxis, new XYLineAndShapeRenderer(true, true)), 1);
        for (XYPlot sub : plot.getSubplots()) {
            sub.setBackgroundPaint(java.awt.Color.WHITE);
            sub.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
            sub.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        }
        JFreeChart chart = new JFreeChart("GoogLeNet training", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 900, 700);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Adds a series that has points; absent metrics (no validation set, no test monitoring) stay out of the legend. */
    private static void add(XYSeriesCollection collection, XYSeries series) {
        if (series.getItemCount() > 0) {
            collection.addSeries(series);
        }
    }

    private static XYSeries series(String name, List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> f) {
        XYSeries s = new XYSeries(name);
        for (EpochMetrics m : history) {
            double v = f.applyAsDouble(m);
            if (!Double.isNaN(v)) {
                s.add(m.epoch(), v);
            }
        }
        return s;
    }
}
