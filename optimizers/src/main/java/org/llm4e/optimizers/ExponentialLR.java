package org.llm4e.optimizers;

/**
 * Exponential decay; matches {@code torch.optim.lr_scheduler.ExponentialLR}:
 *
 * <pre>
 * lrₜ = base·γᵗ
 * </pre>
 */
public final class ExponentialLR extends ClosedFormScheduler {
    private final double gamma;

    /**
     * Creates the schedule and sets the lr of epoch 0 (the base lr).
     *
     * @param optimizer the optimizer whose groups it drives
     * @param gamma the decay factor per epoch, finite and ≥ 0
     * @throws IllegalArgumentException if {@code gamma} is out of range
     */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = check("gamma", gamma, gamma >= 0 && gamma < Double.POSITIVE_INFINITY, "finite and >= 0");
        start();
    }

    @Override
    double lrAt(double base, int epoch) {
        return base * Math.pow(gamma, epoch);
    }
}
