package org.llm4e.optimizers;

/**
 * A constant factor for the first epochs, then the base lr; matches {@code torch.optim.lr_scheduler.ConstantLR}:
 *
 * <pre>
 * lrₜ = base·factor   for t &lt; total_iters
 * lrₜ = base          for t ≥ total_iters
 * </pre>
 *
 * <p>With {@code factor = 1} (or {@link #constant(Optimizer)}) the lr simply stays at the base lr: the constant
 * schedule.
 */
public final class ConstantLR extends ClosedFormScheduler {
    private final double factor;
    private final int totalIters;

    /**
     * Creates the schedule and sets the lr of epoch 0.
     *
     * @param optimizer the optimizer whose groups it drives
     * @param factor the multiplier before {@code totalIters}, in [0, 1] (torch's default 1/3)
     * @param totalIters the number of epochs the factor applies (torch's default 5), ≥ 0
     * @throws IllegalArgumentException if an argument is out of range
     */
    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        super(optimizer);
        this.factor = check("factor", factor, factor >= 0 && factor <= 1, "in [0, 1]");
        if (totalIters < 0) {
            throw new IllegalArgumentException("total_iters must be >= 0, got " + totalIters);
        }
        this.totalIters = totalIters;
        start();
    }

    /**
     * The constant schedule: every epoch uses the base lr.
     *
     * @param optimizer the optimizer whose groups it drives
     * @return {@code new ConstantLR(optimizer, 1, 0)}
     */
    public static ConstantLR constant(Optimizer optimizer) {
        return new ConstantLR(optimizer, 1, 0);
    }

    @Override
    double lrAt(double base, int epoch) {
        return epoch < totalIters ? base * factor : base;
    }
}
