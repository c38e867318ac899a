/**
 * Activation functions with their derivatives, the softmax family, the GLU family and the Llama SwiGLU feed-forward
 * block, after the LLMForEverybody activation articles ({@code 神经网络的激活函数（一）概述.md} … {@code （六）GELU和Mish.md}
 * and {@code 为什么大型语言模型都在使用SwiGLU作为激活函数？.md}).
 *
 * <p>Entry points: {@link org.llm4e.activations.Activations#create(String, java.util.Map)} (torch.nn.functional names
 * and keyword parameters) returning an {@link org.llm4e.activations.Activation} with a double-precision reference
 * ({@code apply}, {@code derivative}) and float32 bulk {@code forward}/{@code backward};
 * {@link org.llm4e.activations.Softmax}; {@link org.llm4e.activations.Glu} with
 * {@link org.llm4e.activations.GluVariant}; {@link org.llm4e.activations.SwiGluFeedForward};
 * {@link org.llm4e.activations.Erf}. The float32 hot loops are {@link org.llm4e.activations.ActivationKernels}, with a
 * Vector API implementation chosen by {@code org.llm4e.core.Simd}. Normalization layers are in
 * {@code org.llm4e.activations.norm}.
 */
package org.llm4e.activations;
