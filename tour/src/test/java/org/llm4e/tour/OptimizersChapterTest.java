package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.optimizers.OptimizationRun.Trajectory;
import org.llm4e.optimizers.TestFunctions;

class OptimizersChapterTest {

    @Test
    void writesTheChartsAndRacesEveryOptimizer(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new OptimizersChapter(), ctx, dir);
        Pngs.assertRealPngs(
                ctx[0].written(),
                "optimizers-beale.png",
                "optimizers-beale-loss.png",
                "optimizers-saddle.png",
                "optimizers-saddle-loss.png",
                "optimizers-schedule.png");
        for (var r : OptimizersChapter.bealeRacers()) {
            Trajectory t = OptimizersChapter.race(TestFunctions.beale(), OptimizersChapter.BEALE_START, r, 1000);
            int steps = t.stepsToReach(1e-3);
            String expected = steps < 0 ? "not reached" : String.valueOf(steps);
            assertTrue(
                    out.lines().anyMatch(l -> l.startsWith(r.label() + " ") && l.contains("| " + expected + " ")),
                    r.label() + " should show " + expected + " in\n" + out);
        }
        // the saddle: plain SGD from exactly (1, 0) is stuck, a nudge of 1e-6 lets it escape
        assertTrue(
                out.lines().anyMatch(l -> l.startsWith("SGD") && l.contains("(1, 0)") && l.contains("never (stuck)")),
                out);
        assertTrue(
                out.lines().anyMatch(l -> l.startsWith("SGD") && l.contains("(1, 1e-6)") && !l.contains("never")), out);
        // the warmup + cosine schedule: 0 at step 0, the base lr after warmup, the floor at the end
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s*100 \\|\\s+3\\.000e-04 \\|\\s+3\\.000e-04")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s*1000 \\|\\s+3\\.000e-05 \\|\\s+0\\.000e\\+00")), out);
    }

    @Test
    void sgdOnTheSaddleLineConvergesToTheSaddlePoint() {
        var sgd = OptimizersChapter.saddleRacers().get(0);
        Trajectory stuck = OptimizersChapter.race(TestFunctions.saddle(), new double[] {1, 0}, sgd, 200);
        assertEquals(0.0, stuck.last()[1]);
        assertTrue(Math.abs(stuck.last()[0]) < 1e-6, "x = " + stuck.last()[0]);
        assertEquals(-1, stuck.stepsToReach(OptimizersChapter.SADDLE_ESCAPE));
        Trajectory nudged = OptimizersChapter.race(TestFunctions.saddle(), new double[] {1, 1e-6}, sgd, 200);
        assertTrue(nudged.stepsToReach(OptimizersChapter.SADDLE_ESCAPE) > 0);
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecays() {
        double[][] lr = OptimizersChapter.schedules(1e-3, 10, 110);
        assertEquals(0.0, lr[0][0]);
        assertEquals(5e-4, lr[0][5], 1e-15);
        assertEquals(1e-3, lr[0][10], 1e-15);
        assertEquals(1e-4, lr[0][110], 1e-15);
        assertEquals(0.0, lr[1][110], 1e-15);
        for (int t = 11; t <= 110; t++) {
            assertTrue(lr[0][t] <= lr[0][t - 1], "not decaying at " + t);
        }
    }

    @Test
    void stepCountsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OptimizersChapter(0, 10));
        assertTrue(e.getMessage().contains("bealeSteps=0"), e.getMessage());
    }
}
