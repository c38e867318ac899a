package org.llm4e.optimizers;

/**
 * Cosine annealing (Loshchilov &amp; Hutter's SGDR without restarts); matches the closed form of
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}:
 *
 * <pre>
 * lrₜ = η_min + (base − η_min)·(1 + cos(π·t / T_max)) / 2
 * </pre>
 *
 * <p>torch's {@code step()} uses an equivalent recursive form that accumulates rounding; this class evaluates the
 * closed form (torch's {@code _get_closed_form_lr}), so the values agree to a few ulps. Beyond T_max the cosine
 * continues (the lr rises again), as in torch.
 */
public final class CosineAnnealingLR extends ClosedFormScheduler {
    private final int tMax;
    private final double etaMin;

    /**
     * Creates the schedule and sets the lr of epoch 0 (the base lr).
     *
     * @param optimizer the optimizer whose groups it drives
     * @param tMax the half period in epochs ({@code T_max}), ≥ 1
     * @param etaMin the minimum lr ({@code eta_min}, torch's default 0), finite and ≥ 0
     * @throws IllegalArgumentException if an argument is out of range
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        this.tMax = positive("T_max", tMax);
        this.etaMin = check("eta_min", etaMin, etaMin >= 0 && etaMin < Double.POSITIVE_INFINITY, "finite and >= 0");
        start();
    }

    @Override
    double lrAt(double base, int epoch) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
