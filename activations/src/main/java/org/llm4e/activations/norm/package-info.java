/**
 * Normalization layers: {@link org.llm4e.activations.norm.LayerNorm}, {@link org.llm4e.activations.norm.RMSNorm} and
 * {@link org.llm4e.activations.norm.BatchNorm}, each with forward, backward and {@code parameters()}. Article:
 * {@code 10分钟搞清楚为什么Transformer中使用LayerNorm而不是BatchNorm.md}.
 */
package org.llm4e.activations.norm;
