package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.llm4e.core.Parameter;

/** Bad input gets an IllegalArgumentException whose message names the parameter, the value and the expectation. */
class OptimizerBadInputTest {
    private static final List<Parameter> PARAMS = List.of(new Parameter("w", new float[4]));

    private static String fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
        return ex.getMessage();
    }

    @Test
    void negativeLearningRate() {
        fails(() -> Adam.builder().lr(-1e-3), "Adam", "lr", "-0.001", ">= 0");
        fails(() -> Optimizers.create("sgd", PARAMS, Map.of("lr", -0.1)), "SGD", "lr", "-0.1");
        fails(() -> Optimizers.create("sgd", PARAMS, Map.of("lr", Double.NaN)), "lr", "NaN");
        Optimizer opt = Optimizers.create("adamw", PARAMS, Map.of());
        fails(() -> opt.setLr(-1), "lr", "-1.0");
        assertEquals(1e-3, opt.lr(), "a rejected setLr leaves the lr unchanged");
    }

    @Test
    void betasOutsideTheUnitInterval() {
        fails(() -> AdamW.builder().betas(0.9, 1.2), "betas[1] must be in [0, 1), got 1.2");
        fails(
                () -> Optimizers.create("adam", PARAMS, Map.of("betas", List.of(1.0, 0.999))),
                "betas[0]",
                "[0, 1)",
                "1.0");
        fails(() -> Optimizers.create("nadam", PARAMS, Map.of("betas", new double[] {-0.1, 0.9})), "betas[0]", "-0.1");
        fails(() -> Optimizers.create("radam", PARAMS, Map.of("betas", List.of(0.9))), "betas", "2 elements", "1");
        fails(() -> Optimizers.create("lion", PARAMS, Map.of("betas", "0.9,0.99")), "betas", "pair", "0.9,0.99");
    }

    @Test
    void nesterovNeedsMomentumAndNoDampening() {
        fails(() -> SGD.builder().nesterov(true).build(PARAMS), "nesterov", "momentum > 0", "momentum=0.0");
        fails(
                () -> SGD.builder().nesterov(true).momentum(0.9).dampening(0.1).build(PARAMS),
                "dampening = 0",
                "dampening=0.1");
        fails(() -> Optimizers.create("SGD", PARAMS, Map.of("nesterov", true)), "nesterov");
        assertDoesNotThrow(() -> SGD.builder().nesterov(true).momentum(0.9).build(PARAMS));
        // The order of the builder calls does not matter: the check runs at build time.
        assertDoesNotThrow(() -> SGD.builder().nesterov(true).momentum(0.9).build(PARAMS));
    }

    @Test
    void unknownKeysListTheValidOnes() {
        String msg = fails(
                () -> Optimizers.create("Adam", PARAMS, Map.of("momentum", 0.9)),
                "unknown hyperparameter",
                "'momentum'",
                "lr, betas, eps, weight_decay, amsgrad, maximize");
        assertTrue(msg.startsWith("Adam:"), msg);
        fails(
                () -> Optimizers.create("rprop", PARAMS, Map.of("weight_decay", 0.0)),
                "weight_decay",
                "etas, step_sizes");
        fails(() -> AdamW.builder().buildGroups(List.of(ParamGroup.of(PARAMS, Map.of("wd", 0.0)))), "'wd'");
    }

    @Test
    void unknownNamesListTheValidOnes() {
        fails(() -> Optimizers.create("adafactor", PARAMS, Map.of()), "adafactor", "sgd, asgd, rprop");
        fails(() -> Optimizers.create(null, PARAMS, Map.of()), "name");
    }

    @Test
    void implementationSwitchesAreAcceptedOnlyWhenFalse() {
        Map<String, Object> off = new HashMap<>();
        off.put("foreach", null);
        off.put("fused", false);
        off.put("capturable", false);
        off.put("differentiable", false);
        for (String name : Optimizers.names()) {
            assertDoesNotThrow(() -> Optimizers.create(name, PARAMS, off), name);
        }
        fails(() -> Optimizers.create("adamw", PARAMS, Map.of("fused", true)), "fused", "only false or null", "true");
        fails(() -> Optimizers.create("adam", PARAMS, Map.of("foreach", true)), "foreach");
    }

    @Test
    void wrongValueTypes() {
        fails(() -> Optimizers.create("adam", PARAMS, Map.of("amsgrad", 1)), "amsgrad", "boolean", "1");
        fails(() -> Optimizers.create("adam", PARAMS, Map.of("lr", "fast")), "lr", "number", "fast");
        fails(() -> Optimizers.create("rmsprop", PARAMS, Map.of("alpha", 1.5)), "alpha", "[0, 1]", "1.5");
        fails(() -> Optimizers.create("rprop", PARAMS, Map.of("etas", List.of(1.5, 1.2))), "etas[0]", "(0, 1)", "1.5");
        fails(
                () -> Optimizers.create("rprop", PARAMS, Map.of("step_sizes", List.of(1.0, 0.5))),
                "step_sizes[1]",
                "0.5");
        fails(() -> Optimizers.create("adagrad", PARAMS, Map.of("eps", -1e-10)), "eps", "-1.0E-10");
    }

    @Test
    void badParameterLists() {
        fails(() -> Adam.builder().build(List.of()), "params", "empty");
        fails(() -> Adam.builder().build(null), "params");
        Parameter w = new Parameter("w", new float[2]);
        fails(() -> Adam.builder().build(List.of(w, w)), "'w'", "more than one");
        fails(
                () -> Adam.builder().buildGroups(List.of(ParamGroup.of(List.of(w)), ParamGroup.of(List.of(w)))),
                "'w'",
                "groups 0 and 1");
    }

    @Test
    void gradientLengthMismatch() {
        // A parameter's gradient must match its data (checked where the pair is made) ...
        fails(() -> new Parameter("w", new float[3], new float[2]), "grad.length", "'w'", "3", "2");
        // ... and a state buffer must match its parameter (checked when a state is loaded).
        Parameter p = new Parameter("w", new float[3]);
        Adam adam = Adam.builder().build(List.of(p));
        adam.step();
        Map<String, Object> sd = adam.stateDict();
        Parameter q = new Parameter("w", new float[5]);
        Adam other = Adam.builder().build(List.of(q));
        fails(() -> other.loadStateDict(sd), "exp_avg", "length 3", "5 elements", "'w'");
    }

    @Test
    void averagedOfAForeignParameter() {
        ASGD asgd = ASGD.builder().build(PARAMS);
        fails(() -> asgd.averaged(new Parameter("x", new float[1])), "'x'", "not optimized");
    }
}
