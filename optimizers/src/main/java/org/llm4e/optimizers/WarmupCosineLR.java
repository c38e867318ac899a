package org.llm4e.optimizers;

/**
 * Linear warmup followed by cosine decay, the schedule of LLM pre-training; matches Hugging Face transformers'
 * {@code get_cosine_schedule_with_warmup} (a {@code torch.optim.lr_scheduler.LambdaLR}) when {@code minLrRatio = 0},
 * and the nanoGPT / Llama form that decays to a floor otherwise:
 *
 * <pre>
 * t &lt; W:   lrₜ = base·t / W
 * t ≥ W:   p = min(1, (t − W) / (T − W)),   lrₜ = base·(r + (1 − r)·(1 + cos(π·p)) / 2)
 * </pre>
 *
 * <p>with W warmup steps, T total steps and r the floor as a fraction of the base lr. Epoch 0 therefore has lr 0 (the
 * first optimizer step does nothing, as in transformers); after T steps the lr stays at r·base.
 */
public final class WarmupCosineLR extends ClosedFormScheduler {
    private final int warmupSteps;
    private final int totalSteps;
    private final double minLrRatio;

    /**
     * Creates the schedule and sets the lr of epoch 0.
     *
     * @param optimizer the optimizer whose groups it drives
     * @param warmupSteps W, ≥ 0
     * @param totalSteps T, &gt; W
     * @param minLrRatio r, the final lr as a fraction of the base lr, in [0, 1]
     * @throws IllegalArgumentException if an argument is out of range
     */
    public WarmupCosineLR(Optimizer optimizer, int warmupSteps, int totalSteps, double minLrRatio) {
        super(optimizer);
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException(
                    "totalSteps must be > warmupSteps = " + warmupSteps + ", got " + totalSteps);
        }
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.minLrRatio = check("minLrRatio", minLrRatio, minLrRatio >= 0 && minLrRatio <= 1, "in [0, 1]");
        start();
    }

    @Override
    double lrAt(double base, int epoch) {
        if (epoch < warmupSteps) {
            return base * epoch / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (epoch - warmupSteps) / (totalSteps - warmupSteps));
        return base * (minLrRatio + (1 - minLrRatio) * (1 + Math.cos(Math.PI * progress)) / 2);
    }
}
