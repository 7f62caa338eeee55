package dev.googlenet.spark;

import dev.googlenet.kernels.Engine;
import dev.googlenet.kernels.EngineOptions;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Spark session options every {@code googlenet spark} command shares, and the session they make. */
final class SessionOptions {
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]|local");

    @Option(names = "--master", description = "Spark master; default: spark-submit's, else local[*] (embedded)")
    String master;

    @Option(names = "--threads", description = "engine threads per task in local mode; default: cores / task "
            + "slots (on a cluster set -Dgooglenet.threads in spark.executor.extraJavaOptions)")
    Integer threads;

    SparkSession start(String app) {
        SparkConf conf = new SparkConf(); // spark-submit's settings arrive as system properties
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        String m = conf.get("spark.master");
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            // embedded: the driver stays on this machine's loopback, no web UI unless asked for
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
            int cores = Runtime.getRuntime().availableProcessors();
            int slots = m.equals("local") ? 1 : local.group(1).equals("*") ? cores : Integer.parseInt(local.group(1));
            // tasks run side by side in this JVM: split the cores between them rather than oversubscribe
            Engine.configure(EngineOptions.fromSystemProperties()
                    .withThreads(threads != null ? threads : Math.max(1, cores / slots)));
        } else if (threads != null) {
            throw new IllegalArgumentException("--threads is for local mode; on a cluster set -Dgooglenet.threads "
                    + "in spark.executor.extraJavaOptions");
        }
        return SparkSession.builder().config(conf).appName(app).getOrCreate();
    }
}
