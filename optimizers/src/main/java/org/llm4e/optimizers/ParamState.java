package org.llm4e.optimizers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-parameter state of an optimizer, as an entry of torch's {@code optimizer.state}: the step count, the
 * element-wise buffers ({@code exp_avg}, {@code momentum_buffer}, ...) and the scalar state ({@code eta}, {@code mu},
 * {@code mu_product}).
 */
final class ParamState {
    long step;
    final Map<String, float[]> buffers = new LinkedHashMap<>();
    final Map<String, Double> scalars = new LinkedHashMap<>();

    float[] buffer(String name) {
        return buffers.get(name);
    }

    float[] buffer(String name, int length) {
        return buffers.computeIfAbsent(name, k -> new float[length]);
    }

    double scalar(String name) {
        return scalars.get(name);
    }
}
