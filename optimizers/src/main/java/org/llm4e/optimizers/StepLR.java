package org.llm4e.optimizers;

/**
 * Step decay; matches {@code torch.optim.lr_scheduler.StepLR}:
 *
 * <pre>
 * lrₜ = base·γ^⌊t / step_size⌋
 * </pre>
 *
 * <p>The articles only say that η "may decay over time" (SGD article, {@code 神经网络的优化器（二）SGD.md}); this and the
 * other schedules are torch's.
 */
public final class StepLR extends ClosedFormScheduler {
    private final int stepSize;
    private final double gamma;

    /**
     * Creates the schedule and sets the lr of epoch 0 (the base lr).
     *
     * @param optimizer the optimizer whose groups it drives
     * @param stepSize epochs between decays, ≥ 1
     * @param gamma the decay factor, finite and ≥ 0 (torch's default 0.1)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        this.stepSize = positive("step_size", stepSize);
        this.gamma = check("gamma", gamma, gamma >= 0 && gamma < Double.POSITIVE_INFINITY, "finite and >= 0");
        start();
    }

    @Override
    double lrAt(double base, int epoch) {
        return base * Math.pow(gamma, epoch / stepSize);
    }
}
