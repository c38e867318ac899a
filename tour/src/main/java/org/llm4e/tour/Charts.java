package org.llm4e.tour;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Small helpers the chapters share for XChart line charts, function plots and chart grids. */
final class Charts {
    private Charts() {}

    /** An XY line chart of the tour's usual size, legend inside the plot. */
    static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, 900, 600);
    }

    /** An XY line chart of the given size. */
    static XYChart xy(String title, String xTitle, String yTitle, int width, int height) {
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        return chart;
    }

    /** {@code n} equally spaced points from {@code lo} to {@code hi}, both included. */
    static double[] linspace(double lo, double hi, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        return x;
    }

    /** Applies {@code f} to every point. */
    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = f.applyAsDouble(x[i]);
        }
        return y;
    }

    /** Adds a curve without markers. */
    static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Adds a dashed curve without markers. */
    static XYSeries dashed(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = line(chart, name, x, y);
        s.setLineStyle(SeriesLines.DASH_DASH);
        return s;
    }

    /**
     * Renders charts side by side, {@code columns} per row, into one picture (XChart has no subplots).
     *
     * @param charts the charts, all of the same size
     * @param columns charts per row
     * @return the picture
     */
    static BufferedImage grid(List<? extends Chart<?, ?>> charts, int columns) {
        int w = charts.get(0).getWidth();
        int h = charts.get(0).getHeight();
        int rows = (charts.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                BufferedImage one = BitmapEncoder.getBufferedImage(charts.get(i));
                g.drawImage(one, (i % columns) * w, (i / columns) * h, null);
            }
        } finally {
            g.dispose();
        }
        return image;
    }
}
