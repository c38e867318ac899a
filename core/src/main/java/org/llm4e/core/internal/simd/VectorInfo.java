package org.llm4e.core.internal.simd;

import jdk.incubator.vector.FloatVector;

/** Reports the Vector API's preferred shape; loaded reflectively by {@code Simd} only when the module is present. */
public final class VectorInfo {
    private VectorInfo() {}

    /**
     * The preferred vector size.
     *
     * @return the bit size of {@link FloatVector#SPECIES_PREFERRED}
     */
    public static int preferredBitSize() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
