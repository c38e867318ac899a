/**
 * Back-of-the-envelope inference estimates, reproducing the numbers of the series' deployment articles: KV-cache
 * bytes for MHA, GQA, MQA and MLA ({@link org.llm4e.attention.estimate.KvCacheSize}); parameter counts and prefill /
 * decode FLOPs ({@link org.llm4e.attention.estimate.FlopsEstimate}); TTFT, TPOT, latency, throughput and the
 * bandwidth bound ({@link org.llm4e.attention.estimate.InferenceEstimate}); training memory and ZeRO stages
 * ({@link org.llm4e.attention.estimate.TrainingMemory}); static vs continuous batching
 * ({@link org.llm4e.attention.estimate.BatchingSimulation}); paged vs reserved cache waste
 * ({@link org.llm4e.attention.estimate.KvCacheFragmentation}); a small table of models
 * ({@link org.llm4e.attention.estimate.ModelConfig}, also read from a Hugging Face {@code config.json}) and
 * accelerators ({@link org.llm4e.attention.estimate.Gpu}). Each class names the article it follows and its errata.
 */
package org.llm4e.attention.estimate;
