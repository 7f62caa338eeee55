package dev.googlenet.bench;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of one job, in a JVM of its own: {@code RssProbe infer 1} or {@code RssProbe train 32}.
 * Prints {@code RSS_KB <kilobytes>} read from the kernel's high-water mark (VmHWM), then {@code HEAP_LIVE_KB
 * <kilobytes>}: the heap still in use after a full collection with the job's model, plan or optimizer reachable, the
 * live set that the peak had to hold (the rest of the peak is heap slack and the JVM's own memory).
 */
public final class RssProbe {
    private RssProbe() {
    }

    public static void main(String[] args) throws IOException {
        String job = args[0];
        int batch = Integer.parseInt(args[1]);
        Tensor x = Models.randomImages(batch, 3);
        Object keep;
        if (job.equals("infer")) {
            InferencePlan plan = InferencePlan.compile(Models.torchvision(false));
            for (int i = 0; i < 3; i++) {
                plan.logits(x);
            }
            keep = plan;
        } else {
            GoogLeNet model = Models.torchvision(true);
            Sgd sgd = new Sgd(model.parameters(), 1e-4f, 0.9f, 2e-4f, false);
            int[] labels = new int[batch];
            for (int i = 0; i < 2; i++) {
                sgd.zeroGrad();
                var loss = GoogLeNetLoss.compute(model.forwardTrain(x), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
                model.backward(loss.gradients());
                sgd.step();
            }
            keep = new Object[] {model, sgd};
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("RSS_KB " + line.replaceAll("\\D+", ""));
            }
        }
        System.gc();
        System.out.println("HEAP_LIVE_KB " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
        Reference.reachabilityFence(keep);
        Reference.reachabilityFence(x);
    }
}
