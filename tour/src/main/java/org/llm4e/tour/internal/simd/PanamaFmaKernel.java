package org.llm4e.tour.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.tour.ComputeRoof;

/**
 * Twelve independent vector FMA chains on registers: the vector compute roof. Loaded reflectively by
 * {@code ComputeRoof} only when {@code jdk.incubator.vector} is present.
 */
public final class PanamaFmaKernel implements ComputeRoof.FmaKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Creates the kernel; called reflectively. */
    public PanamaFmaKernel() {}

    @Override
    public float run(int iterations, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999_999f);
        FloatVector c = FloatVector.broadcast(S, seed);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = FloatVector.broadcast(S, 2f);
        FloatVector a2 = FloatVector.broadcast(S, 3f), a3 = FloatVector.broadcast(S, 4f);
        FloatVector a4 = FloatVector.broadcast(S, 5f), a5 = FloatVector.broadcast(S, 6f);
        FloatVector a6 = FloatVector.broadcast(S, 7f), a7 = FloatVector.broadcast(S, 8f);
        FloatVector a8 = FloatVector.broadcast(S, 9f), a9 = FloatVector.broadcast(S, 10f);
        FloatVector a10 = FloatVector.broadcast(S, 11f), a11 = FloatVector.broadcast(S, 12f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5);
        sum = sum.add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return sum.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public int flopsPerIteration() {
        return 2 * 12 * S.length();
    }

    @Override
    public int lanes() {
        return S.length();
    }
}
