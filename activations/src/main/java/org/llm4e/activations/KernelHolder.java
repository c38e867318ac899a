package org.llm4e.activations;

import org.llm4e.core.Simd;

/** Lazily chooses the preferred {@link ActivationKernels} the first time it is needed. */
final class KernelHolder {
    static final ActivationKernels PREFERRED = Simd.load(
            ActivationKernels.class,
            "org.llm4e.activations.internal.simd.PanamaActivationKernels",
            ScalarActivationKernels.INSTANCE);

    private KernelHolder() {}
}
