package dev.googlenet.cli;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.explain.BranchContributions;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.tensor.Tensor;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "branches", description = "Inception branch contributions for an image and class: the share of each "
        + "module's output (3a … 5b) from its 1×1, 3×3, 5×5 and pool-projection branches, by activation energy and "
        + "by gradient × activation towards the class. Prints a table and writes OUT/<image>.branches.png.")
final class BranchesCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", description = "an image file")
    Path image;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--class", description = "the class index (default: the top class)")
    Integer cls;

    @Option(names = "--out", defaultValue = ".", description = "folder for the chart (default: the current one)")
    Path out;

    @Override
    public Integer call() throws IOException {
        LoadedModel model = modelOptions.load().model();
        ExplainCommand.checkClass(cls, model);
        Tensor input = model.input(List.of(ImageDecoder.decode(image)));
        BranchContributions.Result r = model.explainer().branches(input, cls == null ? -1 : cls);
        System.out.printf(Locale.ROOT, "%s: class %d (%s), logit %.4f%n", image, r.cls(),
                model.classNames().get(r.cls()), r.score());
        System.out.println("module        energy share %: 1x1    3x3    5x5   pool | grad×act share %: 1x1    3x3    5x5   pool");
        for (BranchContributions.Module m : r.modules()) {
            System.out.printf(Locale.ROOT, "%-12s %22s | %35s%n", m.name(), percents(m.energyShare()),
                    percents(m.gradTimesActivationShare()));
        }
        Files.createDirectories(out);
        Path png = out.resolve(ExplainCommand.stem(image) + ".branches.png");
        write(r, model.classNames().get(r.cls()), png);
        System.out.println("chart: " + png);
        return 0;
    }

    private static String percents(double[] shares) {
        StringBuilder sb = new StringBuilder();
        for (double s : shares) {
            sb.append(String.format(Locale.ROOT, " %6.1f", 100 * s));
        }
        return sb.toString();
    }

    /** Two panels over the modules: energy shares stacked to 100%, and the signed gradient × activation shares. */
    static void write(BranchContributions.Result r, String label, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset energy = new DefaultCategoryDataset(), gxa = new DefaultCategoryDataset();
        for (BranchContributions.Module m : r.modules()) {
            String module = m.name().replace("inception", "");
            for (int b = 0; b < 4; b++) {
                String branch = BranchContributions.BRANCHES.get(b);
                energy.addValue(100 * m.energyShare()[b], branch, module);
                gxa.addValue(100 * m.gradTimesActivationShare()[b], branch, module);
            }
        }
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis("Inception module"));
        plot.add(new CategoryPlot(energy, null, new NumberAxis("activation energy, % of the module"),
                new StackedBarRenderer()), 1);
        plot.add(new CategoryPlot(gxa, null, new NumberAxis("gradient × activation, signed %"), new BarRenderer()), 1);
        Color[] colours = {new Color(0x44, 0x01, 0x54), new Color(0x31, 0x68, 0x8e), new Color(0x35, 0xb7, 0x79),
                new Color(0xfd, 0xe7, 0x25)}; // viridis at 0, 1/3, 2/3, 1
        for (Object o : plot.getSubplots()) {
            CategoryPlot sub = (CategoryPlot) o;
            sub.setBackgroundPaint(Color.WHITE);
            sub.setRangeGridlinePaint(Color.LIGHT_GRAY);
            for (int b = 0; b < 4; b++) {
                sub.getRenderer().setSeriesPaint(b, colours[b]);
            }
            ((BarRenderer) sub.getRenderer()).setShadowVisible(false);
            ((BarRenderer) sub.getRenderer()).setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        }
        // each panel would list the four branches again: show the first panel's legend once
        plot.setFixedLegendItems(((CategoryPlot) plot.getSubplots().getFirst()).getLegendItems());
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "Inception branch contributions: class %d (%s)",
                r.cls(), label), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Overlay.writePng(chart.createBufferedImage(900, 700), file);
    }
}
