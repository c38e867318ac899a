package org.llm4e.optimizers;

import java.util.List;

/**
 * A learning-rate schedule that drives every parameter group's lr from the group's base lr (its lr when the schedule
 * was made), as {@code torch.optim.lr_scheduler.LRScheduler} does.
 *
 * <p>Usage mirrors torch: build the schedule after the optimizer (it sets the lr for epoch 0 at once), then call
 * {@code optimizer.step()} and {@link #step()} once per iteration (or per epoch). The lr of epoch t is computed in
 * closed form from the base lr, so it does not drift and does not depend on who else changed the lr in between.
 * Stateful and not thread-safe.
 */
public interface LrScheduler {
    /** Advances one epoch and sets every group's lr for it. */
    void step();

    /**
     * The number of {@link #step()} calls so far (torch's {@code last_epoch}).
     *
     * @return 0 right after construction
     */
    int lastEpoch();

    /**
     * The lr of every group as last set by this schedule (torch's {@code get_last_lr()}).
     *
     * @return one lr per group, in group order
     */
    List<Double> lastLr();
}
