package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.activations.Activations;

class ActivationsChapterTest {

    @Test
    void writesTheChartsAndTheArticlesNumbers(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new ActivationsChapter(), ctx, dir);
        Pngs.assertRealPngs(
                ctx[0].written(),
                "activations-grid.png",
                "activations-elu.png",
                "activations-swish.png",
                "activations-gelu-relu-elu.png",
                "activations-vanishing.png");
        assertTrue(out.contains(Activations.names().size() + " functions"), out);
        // catalog check 15: ten sigmoid layers at their best, 0.25^10 = 9.54e-7
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s*10 \\|\\s+9\\.537e-07 \\|.*")), out);
        // check 17: the articles' softmax examples; the naive form overflows at 1000
        assertTrue(out.contains("[0.65900114, 0.24243297, 0.09856589]"), out);
        assertTrue(out.contains("[0.06297336, 0.93702664, 1.79e-19]"), out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.startsWith("[1000.0, 1001.0, 1002.0]")
                                && l.contains("[NaN, NaN, NaN]")
                                && l.contains("[0.09003057, 0.24472847, 0.66524096]")),
                out);
        // checks 27-29: the 3×4 batch through BatchNorm, LayerNorm, RMSNorm
        assertTrue(out.contains("| 2.9439"), out);
        assertTrue(out.contains("| 0.4714"), out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.contains("[-1.0190, -0.7071, 0.3922, 1.3970]")
                                && l.contains("[-1.3416, -0.4472, 0.4472, 1.3416]")
                                && l.contains("[0.2182, 0.6547, 1.0911, 1.5275]")),
                out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.contains("[-0.3397, 1.4142, 0.9806, -0.5080]")
                                && l.contains("[-0.5071, 0.1690, 1.5213, -1.1832]")
                                && l.contains("[0.7442, 0.9923, 1.4884, 0.4961]")),
                out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.contains("[1.3587, -0.7071, -1.3728, -0.8890]")
                                && l.contains("[1.6713, -0.1857, -0.5571, -0.9285]")
                                && l.contains("[1.8116, 0.6794, 0.4529, 0.2265]")),
                out);
        assertTrue(out.contains("running_mean [0.40000, 0.33333, 0.43333, 0.33333]"), out);
        assertTrue(out.contains("running_var (unbiased) [2.20000, 0.93333, 1.33333, 1.93333]"), out);
    }

    @Test
    void numbersAreFormattedForTheTable() {
        assertTrue(ActivationsChapter.fmt(-0.0, 4).equals("0.0000"));
        assertTrue(ActivationsChapter.fmt(1.79e-19, 8).equals("1.79e-19"));
        assertTrue(ActivationsChapter.fmt(Double.NaN, 8).equals("NaN"));
        assertTrue(ActivationsChapter.vector(new double[] {1, 2.5}, 1).equals("[1.0, 2.5]"));
    }
}
