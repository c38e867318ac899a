package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.List;

/** A schedule whose lr at epoch t is a function of the base lr and t only (torch's closed forms). */
abstract class ClosedFormScheduler implements LrScheduler {
    private final Optimizer optimizer;
    private final double[] baseLrs;
    private int epoch;

    ClosedFormScheduler(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must not be null");
        }
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            baseLrs[i] = groups.get(i).lr();
        }
    }

    /** Sets the lr of epoch 0, as torch's constructor does; subclasses call it once their fields are set. */
    final void start() {
        apply();
    }

    /** The lr of a group with base lr {@code base} at {@code epoch}. */
    abstract double lrAt(double base, int epoch);

    @Override
    public final void step() {
        epoch++;
        apply();
    }

    private void apply() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < baseLrs.length; i++) {
            groups.get(i).setLr(lrAt(baseLrs[i], epoch));
        }
    }

    @Override
    public final int lastEpoch() {
        return epoch;
    }

    @Override
    public final List<Double> lastLr() {
        List<Double> out = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            out.add(g.lr());
        }
        return out;
    }

    /**
     * The base lr of every group.
     *
     * @return a copy, one per group
     */
    public final double[] baseLrs() {
        return baseLrs.clone();
    }

    static int positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
        return v;
    }

    static double check(String name, double v, boolean ok, String expected) {
        if (!ok || Double.isNaN(v)) {
            throw new IllegalArgumentException(name + " must be " + expected + ", got " + v);
        }
        return v;
    }
}
