package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;

/** stateDict mirrors torch's structure, is a deep copy both ways, and a load continues a run bit for bit. */
class StateDictTest {
    @SuppressWarnings("unchecked")
    @Test
    void structureMirrorsTorch() {
        Parameter a = new Parameter("a", new float[] {1f, 2f});
        Parameter b = new Parameter("b", new float[] {3f});
        Parameter c = new Parameter("c", new float[] {4f, 5f, 6f});
        Optimizer opt = AdamW.builder()
                .lr(1e-3)
                .buildGroups(
                        List.of(ParamGroup.of(List.of(a, b)), ParamGroup.of(List.of(c), Map.of("weight_decay", 0.0))));
        a.grad()[0] = 1f;
        opt.step();
        opt.step();
        Map<String, Object> sd = opt.stateDict();
        assertEquals(List.of("state", "param_groups"), List.copyOf(sd.keySet()));
        Map<Integer, Map<String, Object>> state = (Map<Integer, Map<String, Object>>) sd.get("state");
        assertEquals(List.of(0, 1, 2), List.copyOf(state.keySet()));
        assertEquals(2L, state.get(0).get("step"));
        assertEquals(
                List.of("step", "exp_avg", "exp_avg_sq"),
                List.copyOf(state.get(0).keySet()));
        assertEquals(2, ((float[]) state.get(0).get("exp_avg")).length);
        List<Map<String, Object>> groups = (List<Map<String, Object>>) sd.get("param_groups");
        assertEquals(List.of(0, 1), groups.get(0).get("params"));
        assertEquals(List.of(2), groups.get(1).get("params"));
        assertEquals(0.01, groups.get(0).get("weight_decay"));
        assertEquals(0.0, groups.get(1).get("weight_decay"));
        assertArrayEquals(new double[] {0.9, 0.999}, (double[]) groups.get(0).get("betas"));
        // Deep copy: changing the dictionary does not change the optimizer.
        ((float[]) state.get(0).get("exp_avg"))[0] = 99f;
        ((double[]) groups.get(0).get("betas"))[0] = 0.1;
        Map<Integer, Map<String, Object>> again =
                (Map<Integer, Map<String, Object>>) opt.stateDict().get("state");
        assertTrue(((float[]) again.get(0).get("exp_avg"))[0] != 99f);
        assertArrayEquals(new double[] {0.9, 0.999}, (double[])
                opt.paramGroups().get(0).hyperparameters().get("betas"));
    }

    @Test
    void loadContinuesEveryOptimizerBitForBit() {
        for (String name : Optimizers.names()) {
            SplittableRandom r = new SplittableRandom(5);
            float[] x0 = new float[37];
            for (int i = 0; i < x0.length; i++) {
                x0[i] = (float) r.nextGaussian();
            }
            Map<String, Object> hp = name.equals("asgd") ? Map.of("t0", 2.0) : Map.of();
            Parameter p = new Parameter("w", x0.clone());
            Optimizer whole = Optimizers.create(name, List.of(p), hp);
            float[][] grads = new float[8][x0.length];
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) r.nextGaussian();
                }
            }
            Map<String, Object> saved = null;
            float[] savedParams = null;
            for (int t = 0; t < grads.length; t++) {
                System.arraycopy(grads[t], 0, p.grad(), 0, x0.length);
                whole.step();
                if (t == 3) {
                    saved = whole.stateDict();
                    savedParams = p.data().clone();
                }
            }
            Parameter q = new Parameter("w", savedParams);
            Optimizer resumed = Optimizers.create(name, List.of(q), Map.of("lr", 0.5)); // lr comes from the state
            resumed.loadStateDict(saved);
            for (int t = 4; t < grads.length; t++) {
                System.arraycopy(grads[t], 0, q.grad(), 0, x0.length);
                resumed.step();
            }
            assertArrayEquals(p.data(), q.data(), name);
            assertEquals(whole.lr(), resumed.lr(), name + " lr");
        }
    }

    @Test
    void mismatchedDictionariesAreRejectedAndLeaveTheOptimizerUnchanged() {
        Parameter p = new Parameter("w", new float[2]);
        Adam adam = Adam.builder().lr(0.1).build(List.of(p));
        Map<String, Object> sgdState = SGD.builder()
                .momentum(0.9)
                .build(List.of(new Parameter("w", new float[2])))
                .stateDict();
        // SGD's groups carry keys Adam does not know.
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sgdState));
        assertTrue(ex.getMessage().contains("unknown hyperparameter"), ex.getMessage());
        assertEquals(0.1, adam.lr());
        Map<String, Object> twoGroups = AdamW.builder()
                .buildGroups(List.of(
                        ParamGroup.of(List.of(new Parameter("a", new float[2]))),
                        ParamGroup.of(List.of(new Parameter("b", new float[2])))))
                .stateDict();
        ex = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(twoGroups));
        assertTrue(ex.getMessage().contains("2 parameter groups"), ex.getMessage());
    }

    @Test
    void groupsHaveLiveHyperparametersAndLrSetsEveryGroup() {
        Parameter a = new Parameter("a", new float[] {1f});
        Parameter b = new Parameter("b", new float[] {1f});
        Optimizer opt = SGD.builder()
                .lr(0.1)
                .buildGroups(List.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b), Map.of("lr", 0.01))));
        assertEquals(0.1, opt.lr());
        assertEquals(0.01, opt.paramGroups().get(1).lr());
        a.grad()[0] = 1f;
        b.grad()[0] = 1f;
        opt.step();
        assertEquals(0.9f, a.data()[0], 1e-7);
        assertEquals(0.99f, b.data()[0], 1e-7);
        opt.setLr(0.5);
        assertEquals(0.5, opt.paramGroups().get(1).lr());
        opt.paramGroups().get(0).set("weight_decay", 1.0);
        opt.step();
        assertEquals(0.9f - 0.5f * (1f + 0.9f), a.data()[0], 1e-6);
        assertEquals(0.99f - 0.5f, b.data()[0], 1e-6);
        assertThrows(
                UnsupportedOperationException.class,
                () -> opt.paramGroups().get(0).hyperparameters().put("lr", 1.0));
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Parameter a = new Parameter("a", new float[] {1f, 2f});
        Parameter b = new Parameter("b", new float[] {3f});
        a.grad()[1] = 4f;
        b.grad()[0] = 5f;
        Optimizer opt = Lion.builder().buildGroups(List.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b))));
        opt.zeroGrad();
        assertArrayEquals(new float[2], a.grad());
        assertArrayEquals(new float[1], b.grad());
    }
}
