/**
 * The optimizers of the LLMForEverybody optimizer articles, exact to {@code torch.optim} ≥ 2.0, plus Adamax and Lion:
 * {@link org.llm4e.optimizers.SGD}, {@link org.llm4e.optimizers.ASGD}, {@link org.llm4e.optimizers.Rprop},
 * {@link org.llm4e.optimizers.Adagrad}, {@link org.llm4e.optimizers.Adadelta}, {@link org.llm4e.optimizers.RMSprop},
 * {@link org.llm4e.optimizers.Adam}, {@link org.llm4e.optimizers.AdamW}, {@link org.llm4e.optimizers.NAdam},
 * {@link org.llm4e.optimizers.RAdam}, {@link org.llm4e.optimizers.Adamax} and {@link org.llm4e.optimizers.Lion}.
 *
 * <p>Each has a typed builder ({@code AdamW.builder().lr(1e-3).weightDecay(0.01).build(params)});
 * {@link org.llm4e.optimizers.Optimizers} builds them from torch names and keyword arguments. Every optimizer
 * implements {@link org.llm4e.optimizers.Optimizer}: {@code step()}, {@code zeroGrad()}, parameter groups with live
 * hyperparameters, and a torch-shaped {@code stateDict()}. Parameters are float32 ({@code org.llm4e.core.Parameter});
 * per-step coefficients are computed in double and rounded to float, as torch's kernels do. Each class's Javadoc gives
 * the article's formula, torch's, and where they differ.
 */
package org.llm4e.optimizers;
