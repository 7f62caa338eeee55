package dev.googlenet.model;

/** Prints measured parity errors so test logs (and closing notes) carry the numbers, not just a pass. */
final class Report {
    private Report() {
    }

    static void line(String what, String metric, double value, String... extra) {
        System.out.printf("PARITY %-52s %-15s %.3e %s%n", what, metric, value, String.join(" ", extra));
    }
}
