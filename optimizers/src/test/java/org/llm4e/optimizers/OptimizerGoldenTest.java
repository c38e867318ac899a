package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.llm4e.core.Parameter;
import org.llm4e.testsupport.Golden;
import org.llm4e.testsupport.TensorAssert;

/**
 * Every public case of {@code golden/optimizers.json} (torch.optim trajectories on Rosenbrock and a convex quadratic),
 * teacher-forced: the file's gradients are fed to the optimizer and the parameters after every step are compared with
 * torch's float32 run within the golden README's tolerance {@code 1e-5 + 1e-5·|g|}. The optimizer is built through the
 * facade from the recorded hyperparameters, so torch's names and keys are exercised too.
 */
class OptimizerGoldenTest {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;

    static JsonNode root() {
        return Golden.load("optimizers.json");
    }

    /** The recorded param group as facade arguments: numbers as Double, flags as Boolean, tuples as List. */
    static Map<String, Object> hyperparameters(JsonNode hp) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = hp.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isBoolean()) {
                out.put(e.getKey(), v.booleanValue());
            } else if (v.isArray()) {
                List<Double> list = new ArrayList<>();
                v.forEach(x -> list.add(Golden.number(x)));
                out.put(e.getKey(), list);
            } else {
                out.put(e.getKey(), Golden.number(v));
            }
        }
        return out;
    }

    static float[] row(float[] matrix, int row, int dim) {
        float[] out = new float[dim];
        System.arraycopy(matrix, row * dim, out, 0, dim);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> teacherForcedFloat32() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root().get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> runCase(c)));
        }
        return tests.stream();
    }

    private static void runCase(JsonNode c) {
        JsonNode run = c.get("float32");
        int[] shape = Golden.shape(run.get("params"));
        int dim = shape[1];
        int steps = c.get("steps").asInt();
        float[] params = Golden.floats(run.get("params"));
        float[] grads = Golden.floats(run.get("grads"));
        Parameter p = new Parameter("x", row(params, 0, dim));
        Optimizer opt =
                Optimizers.create(c.get("optimizer").asText(), List.of(p), hyperparameters(c.get("hyperparameters")));
        for (int t = 0; t < steps; t++) {
            System.arraycopy(grads, t * dim, p.grad(), 0, dim);
            opt.step();
            String where = c.get("id").asText() + " after step " + (t + 1);
            TensorAssert.assertClose(row(params, t + 1, dim), p.data(), RTOL, ATOL, where);
            if (opt instanceof ASGD) {
                ASGD asgd = (ASGD) opt;
                TensorAssert.assertClose(
                        row(Golden.floats(run.get("ax")), t, dim), asgd.averaged(p), RTOL, ATOL, where + ": ax");
                @SuppressWarnings("unchecked")
                Map<String, Object> st = (Map<String, Object>)
                        ((Map<Integer, Object>) opt.stateDict().get("state")).get(0);
                double eta = Golden.number(run.get("eta_after_step").get(t));
                double mu = Golden.number(run.get("mu_after_step").get(t));
                assertTrue(
                        TensorAssert.close((Double) st.get("eta"), eta, RTOL, 1e-12),
                        where + ": eta " + st.get("eta") + " vs " + eta);
                assertEquals(mu, (Double) st.get("mu"), 1e-7 * Math.abs(mu), where + ": mu");
                assertEquals((long) (t + 1), st.get("step"), where + ": step");
            }
        }
    }

    @Test
    void everyOptimizerOfTheGoldenFileIsCovered() {
        List<String> seen = new ArrayList<>();
        for (JsonNode c : root().get("cases")) {
            String name = c.get("optimizer").asText().toLowerCase(java.util.Locale.ROOT);
            if (!seen.contains(name)) {
                seen.add(name);
            }
        }
        assertEquals(
                List.of("sgd", "asgd", "rprop", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam", "radam"),
                seen);
        assertTrue(Optimizers.names().containsAll(seen));
    }
}
