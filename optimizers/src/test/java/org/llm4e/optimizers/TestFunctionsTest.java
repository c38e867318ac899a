package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.llm4e.testsupport.Golden;

/** Analytic gradients against finite differences and against torch's recorded gradients; the runner; the saddle. */
class TestFunctionsTest {
    private static final double[][] SPD = {{4, 1, 0}, {1, 3, 0.5}, {0, 0.5, 2}};

    private static void assertGradientMatchesFiniteDifferences(Objective f, double[] x) {
        double[] g = f.gradient(x);
        for (int i = 0; i < x.length; i++) {
            double h = 1e-6 * Math.max(1, Math.abs(x[i]));
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (f.value(plus) - f.value(minus)) / (2 * h);
            assertEquals(
                    fd, g[i], 1e-6 * Math.max(1, Math.abs(fd)), f.name() + " ∂/∂x" + i + " at " + x[0] + ", " + x[1]);
        }
    }

    @Property(tries = 100)
    void gradientsMatchCentralDifferences(
            @ForAll @DoubleRange(min = -3, max = 3) double x, @ForAll @DoubleRange(min = -2, max = 2) double y) {
        for (Objective f : List.of(TestFunctions.rosenbrock(1, 100), TestFunctions.beale(), TestFunctions.saddle())) {
            assertGradientMatchesFiniteDifferences(f, new double[] {x, y});
        }
        assertGradientMatchesFiniteDifferences(
                TestFunctions.quadratic(SPD, new double[] {1, -2, 0.5}), new double[] {x, y, x - y});
    }

    @Test
    void gradientsVanishAtTheMinimizers() {
        Objective q = TestFunctions.quadratic(SPD, new double[] {1, -2, 0.5});
        for (Objective f :
                List.of(TestFunctions.rosenbrock(1, 100), TestFunctions.rosenbrock(2, 5), TestFunctions.beale(), q)) {
            double[] g = f.gradient(f.minimizer());
            for (double v : g) {
                assertEquals(0, v, 1e-12, f.name());
            }
        }
        assertEquals(0, TestFunctions.beale().value(new double[] {3, 0.5}), 0);
        assertNull(TestFunctions.saddle().minimizer());
    }

    @Test
    void gradientsEqualTorchsAlongTheGoldenTrajectories() {
        JsonNode root = Golden.load("optimizers.json");
        JsonNode rb = root.get("problems").get("rosenbrock");
        Objective rosenbrock = TestFunctions.rosenbrock(Golden.number(rb.get("a")), Golden.number(rb.get("b")));
        JsonNode qp = root.get("problems").get("quadratic");
        double[] aFlat = Golden.doubles(qp.get("A"));
        int n = Golden.shape(qp.get("A"))[0];
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(aFlat, i * n, a[i], 0, n);
        }
        Objective quadratic = TestFunctions.quadratic(a, Golden.doubles(qp.get("b")));
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            Objective f = c.get("problem").asText().equals("rosenbrock") ? rosenbrock : quadratic;
            JsonNode run = c.get("float64");
            double[] params = Golden.doubles(run.get("params"));
            double[] grads = Golden.doubles(run.get("grads"));
            int dim = f.dim();
            int steps = c.get("steps").asInt();
            for (int t = 0; t < steps; t++) {
                double[] x = java.util.Arrays.copyOfRange(params, t * dim, (t + 1) * dim);
                double[] expected = java.util.Arrays.copyOfRange(grads, t * dim, (t + 1) * dim);
                double[] g = f.gradient(x);
                for (int i = 0; i < dim; i++) {
                    assertEquals(
                            expected[i],
                            g[i],
                            1e-12 + 1e-12 * Math.abs(expected[i]),
                            c.get("id").asText());
                }
                checked++;
            }
        }
        assertTrue(checked > 1000);
    }

    @Test
    void sgdStallsAtTheSaddleUnlessPerturbed() {
        Objective saddle = TestFunctions.saddle();
        OptimizationRun.Trajectory stuck = OptimizationRun.run(
                saddle, new double[] {1, 0}, ps -> SGD.builder().lr(0.1).build(ps), 200);
        assertArrayEquals(new double[] {0, 0}, stuck.last(), 1e-15, "converges to the saddle point");
        assertEquals(0, stuck.last()[1], 0.0, "y stays exactly 0: ∂f/∂y = −2y = 0");
        OptimizationRun.Trajectory escapes = OptimizationRun.run(
                saddle, new double[] {1, 1e-6}, ps -> SGD.builder().lr(0.1).build(ps), 200);
        assertTrue(Math.abs(escapes.last()[1]) > 1, "escapes along y: " + escapes.last()[1]);
        assertTrue(escapes.losses()[200] < -1, "f is unbounded below");
    }

    @Test
    void theRunnerRecordsPointsAndLosses() {
        Objective beale = TestFunctions.beale();
        OptimizationRun.Trajectory t = OptimizationRun.run(
                beale, new double[] {1, 1.5}, ps -> Optimizers.create("adam", ps, Map.of("lr", 0.05)), 1500);
        assertEquals(1501, t.points().length);
        assertEquals(1501, t.losses().length);
        assertArrayEquals(new double[] {1, 1.5}, t.points()[0]);
        assertEquals(beale.value(t.points()[700]), t.losses()[700]);
        assertArrayEquals(new double[] {3, 0.5}, t.last(), 0.05, "Adam reaches Beale's minimum");
        int reach = t.stepsToReach(1e-3);
        assertTrue(reach > 0 && t.losses()[reach] <= 1e-3 && t.losses()[reach - 1] > 1e-3, "first step " + reach);
        assertEquals(-1, t.stepsToReach(-1));
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> TestFunctions.rosenbrock(1, 0));
        assertThrows(IllegalArgumentException.class, () -> TestFunctions.beale().value(new double[3]));
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class,
                () -> TestFunctions.quadratic(new double[][] {{1, 2}, {0, 1}}, new double[2]));
        assertTrue(ex.getMessage().contains("symmetric"), ex.getMessage());
        ex = assertThrows(
                IllegalArgumentException.class,
                () -> TestFunctions.quadratic(new double[][] {{1, 2}, {2, 1}}, new double[2]));
        assertTrue(ex.getMessage().contains("positive definite"), ex.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> OptimizationRun.run(
                        TestFunctions.saddle(),
                        new double[] {1, 0},
                        ps -> SGD.builder().build(ps),
                        -1));
    }
}
