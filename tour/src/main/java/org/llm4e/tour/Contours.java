package org.llm4e.tour;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Contour lines for XChart, which has none: marching squares over a grid, each level drawn as one grey series whose
 * segments are separated by NaN gaps.
 */
final class Contours {
    private Contours() {}

    static final int GRID = 160;

    /** Adds the contour lines of {@code f} at {@code levels} over the window to {@code chart}. */
    static void add(
            XYChart chart, ToDoubleFunction<double[]> f, double x0, double x1, double y0, double y1, double[] levels) {
        double[][] v = new double[GRID + 1][GRID + 1];
        for (int i = 0; i <= GRID; i++) {
            for (int j = 0; j <= GRID; j++) {
                v[i][j] = f.applyAsDouble(new double[] {x(x0, x1, i), x(y0, y1, j)});
            }
        }
        for (int k = 0; k < levels.length; k++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            segments(v, levels[k], x0, x1, y0, y1, xs, ys);
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries("level " + k, xs, ys);
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
            s.setLineColor(new Color(190, 190, 190));
            s.setLineStyle(new BasicStroke(1f));
        }
    }

    private static double x(double lo, double hi, int i) {
        return lo + (hi - lo) * i / GRID;
    }

    /** Marching squares: per cell, the points where the level crosses an edge, joined in pairs. */
    static void segments(
            double[][] v, double level, double x0, double x1, double y0, double y1, List<Double> xs, List<Double> ys) {
        double[] px = new double[4];
        double[] py = new double[4];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                // corners counter-clockwise: (i, j), (i+1, j), (i+1, j+1), (i, j+1)
                int[][] corner = {{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}};
                int n = 0;
                for (int e = 0; e < 4; e++) {
                    int[] a = corner[e];
                    int[] b = corner[(e + 1) % 4];
                    double va = v[a[0]][a[1]];
                    double vb = v[b[0]][b[1]];
                    if ((va < level) != (vb < level) && Double.isFinite(va) && Double.isFinite(vb)) {
                        double t = (level - va) / (vb - va);
                        px[n] = x(x0, x1, a[0]) + t * (x(x0, x1, b[0]) - x(x0, x1, a[0]));
                        py[n] = x(y0, y1, a[1]) + t * (x(y0, y1, b[1]) - x(y0, y1, a[1]));
                        n++;
                    }
                }
                for (int s = 0; s + 1 < n; s += 2) {
                    xs.add(px[s]);
                    ys.add(py[s]);
                    xs.add(px[s + 1]);
                    ys.add(py[s + 1]);
                    xs.add(Double.NaN);
                    ys.add(Double.NaN);
                }
            }
        }
    }
}
