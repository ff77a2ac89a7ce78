package io.softgate.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart: one or more series of (x, y) points, the x axis on a
 * log-10 scale (session and rule counts span decades), the y axis linear from zero, with tick
 * labels, axis titles, a legend and error bars. No dependency beyond the JDK.
 *
 * <p>Threading: confined to the thread that builds and renders it.
 */
public final class SvgPlot {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<Series> series = new ArrayList<>();

    public SvgPlot(String title, String xTitle, String yTitle) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    /** Adds a series; {@code x} must be > 0 (log scale), {@code error} may be null. */
    public SvgPlot series(String name, double[] x, double[] y, double[] error) {
        if (x.length != y.length || (error != null && error.length != y.length)) {
            throw new IllegalArgumentException("x, y and error must have the same length");
        }
        for (double value : x) {
            if (!(value > 0)) {
                throw new IllegalArgumentException("x values must be > 0 on a log axis: " + value);
            }
        }
        series.add(new Series(name, x.clone(), y.clone(), error == null ? null : error.clone()));
        return this;
    }

    /** The chart as an SVG document. */
    public String render() {
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                minX = Math.min(minX, s.x[i]);
                maxX = Math.max(maxX, s.x[i]);
                double top = s.y[i] + (s.error == null || Double.isNaN(s.error[i]) ? 0 : s.error[i]);
                maxY = Math.max(maxY, top);
            }
        }
        if (series.isEmpty()) {
            minX = 1;
            maxX = 10;
        }
        double logMin = Math.floor(Math.log10(minX));
        double logMax = Math.max(logMin + 1, Math.ceil(Math.log10(maxX)));
        double yMax = niceCeiling(maxY <= 0 ? 1 : maxY);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 22, "middle", 15, title);
        // Axes and grid.
        for (int t = 0; t <= 5; t++) {
            double value = yMax * t / 5;
            double y = TOP + plotHeight - plotHeight * t / 5;
            line(svg, LEFT, y, LEFT + plotWidth, y, "#dddddd");
            text(svg, LEFT - 6, y + 4, "end", 11, format(value));
        }
        for (int decade = (int) logMin; decade <= (int) logMax; decade++) {
            double x = LEFT + plotWidth * (decade - logMin) / (logMax - logMin);
            line(svg, x, TOP, x, TOP + plotHeight, "#dddddd");
            text(svg, x, TOP + plotHeight + 16, "middle", 11, format(Math.pow(10, decade)));
        }
        line(svg, LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight, "black");
        line(svg, LEFT, TOP, LEFT, TOP + plotHeight, "black");
        text(svg, LEFT + plotWidth / 2, HEIGHT - 12, "middle", 12, xTitle);
        svg.append(String.format(Locale.ROOT,
            "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
            TOP + plotHeight / 2, TOP + plotHeight / 2, escape(yTitle)));
        // Series.
        for (int s = 0; s < series.size(); s++) {
            Series one = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < one.x.length; i++) {
                double x = LEFT + plotWidth * (Math.log10(one.x[i]) - logMin) / (logMax - logMin);
                double y = TOP + plotHeight - plotHeight * one.y[i] / yMax;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n",
                    x, y, colour));
                if (one.error != null && !Double.isNaN(one.error[i]) && one.error[i] > 0) {
                    double low = TOP + plotHeight - plotHeight * Math.max(0, one.y[i] - one.error[i]) / yMax;
                    double high = TOP + plotHeight - plotHeight * (one.y[i] + one.error[i]) / yMax;
                    line(svg, x, low, x, high, colour);
                }
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                .append(points.toString().trim()).append("\"/>\n");
            double legendY = TOP + 14 + 16 * s;
            line(svg, LEFT + plotWidth - 170, legendY - 4, LEFT + plotWidth - 150, legendY - 4, colour);
            text(svg, LEFT + plotWidth - 145, legendY, "start", 11, one.name);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        double[] steps = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
        for (double step : steps) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String format(double value) {
        if (value >= 1_000_000 && value % 1_000_000 == 0) {
            return (long) (value / 1_000_000) + "M";
        }
        if (value >= 1_000 && value % 1_000 == 0) {
            return (long) (value / 1_000) + "k";
        }
        if (value == Math.rint(value)) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour) {
        svg.append(String.format(Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n", x1, y1, x2, y2, colour));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String content) {
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n", x, y, anchor, size,
            escape(content)));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** One named line. */
    private record Series(String name, double[] x, double[] y, double[] error) {
    }
}
