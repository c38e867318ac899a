package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.List;

/**
 * Reduce the lr when a metric stops improving; matches {@code torch.optim.lr_scheduler.ReduceLROnPlateau}.
 *
 * <p>After each epoch, {@link #step(double)} gets the metric (e.g. the validation loss). An epoch improves on the best
 * value when (mode min, threshold mode rel) {@code metric < best·(1 − threshold)}; (min, abs)
 * {@code metric < best − threshold}; (max, rel) {@code metric > best·(1 + threshold)}; (max, abs)
 * {@code metric > best + threshold}. After more than {@code patience} epochs without improvement every group's lr
 * becomes {@code max(lr·factor, min_lr)} (skipped when the change is at most {@code eps}), the bad-epoch count resets
 * and {@code cooldown} epochs follow in which bad epochs are not counted. A NaN metric is never an improvement.
 * Stateful and not thread-safe.
 */
public final class ReduceLROnPlateau {
    private final Optimizer optimizer;
    private final boolean maximize;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final boolean relative;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private int badEpochs;
    private int cooldownCounter;
    private int lastEpoch;

    /**
     * torch's defaults: mode min, factor 0.1, patience 10, threshold 1e-4 (rel), cooldown 0, min_lr 0, eps 1e-8.
     *
     * @param optimizer the optimizer whose groups it drives
     */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, "min", 0.1, 10, 1e-4, "rel", 0, 0.0, 1e-8);
    }

    /**
     * Creates the schedule with torch's arguments.
     *
     * @param optimizer the optimizer whose groups it drives
     * @param mode {@code "min"} or {@code "max"}
     * @param factor the multiplier on a reduction, in [0, 1)
     * @param patience bad epochs tolerated, ≥ 0
     * @param threshold the significance of an improvement, ≥ 0
     * @param thresholdMode {@code "rel"} or {@code "abs"}
     * @param cooldown epochs after a reduction in which bad epochs are not counted, ≥ 0
     * @param minLr the lowest lr, ≥ 0
     * @param eps the smallest lr change that is applied, ≥ 0
     * @throws IllegalArgumentException if an argument is out of range
     */
    public ReduceLROnPlateau(
            Optimizer optimizer,
            String mode,
            double factor,
            int patience,
            double threshold,
            String thresholdMode,
            int cooldown,
            double minLr,
            double eps) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must not be null");
        }
        if (!"min".equals(mode) && !"max".equals(mode)) {
            throw new IllegalArgumentException("mode must be min or max, got " + mode);
        }
        if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode)) {
            throw new IllegalArgumentException("threshold_mode must be rel or abs, got " + thresholdMode);
        }
        ClosedFormScheduler.check("factor", factor, factor >= 0 && factor < 1, "in [0, 1)");
        ClosedFormScheduler.check("threshold", threshold, threshold >= 0, ">= 0");
        ClosedFormScheduler.check("min_lr", minLr, minLr >= 0, ">= 0");
        ClosedFormScheduler.check("eps", eps, eps >= 0, ">= 0");
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        if (cooldown < 0) {
            throw new IllegalArgumentException("cooldown must be >= 0, got " + cooldown);
        }
        this.optimizer = optimizer;
        this.maximize = "max".equals(mode);
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.relative = "rel".equals(thresholdMode);
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * Records one epoch's metric and reduces the lr after a plateau.
     *
     * @param metric the monitored value (NaN counts as a bad epoch)
     */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (ParamGroup g : optimizer.paramGroups()) {
                double old = g.lr();
                double reduced = Math.max(old * factor, minLr);
                if (old - reduced > eps) {
                    g.setLr(reduced);
                }
            }
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        if (maximize) {
            return relative ? a > best * (threshold + 1) : a > best + threshold;
        }
        return relative ? a < best * (1 - threshold) : a < best - threshold;
    }

    /**
     * The best metric so far.
     *
     * @return +∞ (mode min) or −∞ (mode max) before the first step
     */
    public double best() {
        return best;
    }

    /**
     * The number of {@link #step(double)} calls.
     *
     * @return the epoch count
     */
    public int lastEpoch() {
        return lastEpoch;
    }

    /**
     * The current lr of every group.
     *
     * @return one lr per group
     */
    public List<Double> lastLr() {
        List<Double> out = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            out.add(g.lr());
        }
        return out;
    }
}
