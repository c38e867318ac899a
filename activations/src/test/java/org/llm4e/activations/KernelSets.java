package org.llm4e.activations;

import java.util.List;
import org.llm4e.activations.internal.simd.PanamaActivationKernels;

/** Both kernel implementations, instantiated directly so every test covers each one whatever Simd chose. */
final class KernelSets {
    static final ActivationKernels SCALAR = ActivationKernels.scalar();
    static final ActivationKernels PANAMA = new PanamaActivationKernels();

    private KernelSets() {}

    static List<ActivationKernels> all() {
        return List.of(SCALAR, PANAMA);
    }

    static String label(ActivationKernels k) {
        return k == SCALAR ? "scalar" : "panama";
    }

    /** Forward of a hot function through a given kernel set, or null when the function has no kernel. */
    static boolean forward(ActivationKernels k, String id, float[] x, float[] y) {
        int n = x.length;
        switch (id) {
            case "sigmoid":
                k.sigmoid(x, 0, y, 0, n);
                return true;
            case "tanh":
                k.tanh(x, 0, y, 0, n);
                return true;
            case "silu":
                k.silu(x, 0, y, 0, n);
                return true;
            case "gelu_none":
                k.gelu(x, 0, y, 0, n);
                return true;
            case "gelu_tanh":
                k.geluTanh(x, 0, y, 0, n);
                return true;
            case "mish":
                k.mish(x, 0, y, 0, n);
                return true;
            default:
                return false;
        }
    }

    static boolean backward(ActivationKernels k, String id, float[] x, float[] dy, float[] dx) {
        int n = x.length;
        switch (id) {
            case "sigmoid":
                k.sigmoidBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            case "tanh":
                k.tanhBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            case "silu":
                k.siluBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            case "gelu_none":
                k.geluBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            case "gelu_tanh":
                k.geluTanhBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            case "mish":
                k.mishBackward(x, 0, dy, 0, dx, 0, n);
                return true;
            default:
                return false;
        }
    }
}
