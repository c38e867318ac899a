package org.llm4e.core.internal.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The register-only lane reduction adds the lanes in the documented halving order, bit for bit. */
class ReduceOrderTest {
    @Test
    void rotationsAddInTheHalvingOrder() {
        SplittableRandom r = new SplittableRandom(11);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        for (int trial = 0; trial < 2000; trial++) {
            float[] x = new float[lanes];
            for (int i = 0; i < lanes; i++) {
                // Mixed magnitudes, so that a different order would round differently.
                x[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 6)));
            }
            float[] halving = x.clone();
            for (int width = lanes / 2; width >= 1; width /= 2) {
                for (int i = 0; i < width; i++) {
                    halving[i] += halving[i + width];
                }
            }
            float got = PanamaKernels.reduce(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0));
            assertEquals(Float.floatToRawIntBits(halving[0]), Float.floatToRawIntBits(got), "trial " + trial);
        }
    }
}
