package org.llm4e.tour;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reader's guide to each chapter, for the HTML report: what to look at (two or three sentences) and the classes
 * and tests to read next, as paths from the project's root.
 *
 * <p>It is keyed by chapter name so that a chapter class needs no change to appear in the report with its guide: the
 * defaults of {@link Chapter#lookFor()} and {@link Chapter#readNext()} read it, and a chapter may override them. A
 * chapter without an entry gets a generic sentence and no reading list. {@code ChapterGuideTest} checks that every
 * path listed here exists in the source tree.
 *
 * @param lookFor what to look at in the chapter's charts and tables
 * @param readNext the classes, then the tests, to open after the chapter
 */
public record ChapterGuide(String lookFor, List<String> readNext) {

    /**
     * A guide.
     *
     * @param lookFor what to look at
     * @param readNext paths from the project's root
     */
    public ChapterGuide {
        readNext = List.copyOf(readNext);
    }

    private static final String CORE = "core/src/main/java/org/llm4e/core/";
    private static final String CORE_T = "core/src/test/java/org/llm4e/core/";
    private static final String ACT = "activations/src/main/java/org/llm4e/activations/";
    private static final String ACT_T = "activations/src/test/java/org/llm4e/activations/";
    private static final String POS = "positional-encoding/src/main/java/org/llm4e/positional/";
    private static final String POS_T = "positional-encoding/src/test/java/org/llm4e/positional/";
    private static final String OPT = "optimizers/src/main/java/org/llm4e/optimizers/";
    private static final String OPT_T = "optimizers/src/test/java/org/llm4e/optimizers/";
    private static final String TOK = "tokenizers/src/main/java/org/llm4e/tokenizers/";
    private static final String TOK_T = "tokenizers/src/test/java/org/llm4e/tokenizers/";
    private static final String ATT = "attention/src/main/java/org/llm4e/attention/";
    private static final String ATT_T = "attention/src/test/java/org/llm4e/attention/";
    private static final String QUA = "quantization/src/main/java/org/llm4e/quantization/";
    private static final String QUA_T = "quantization/src/test/java/org/llm4e/quantization/";

    private static final Map<String, ChapterGuide> GUIDES = Map.of(
            "matmul",
            new ChapterGuide(
                    "Follow one size across the rungs: reordering the loops (i-k-j) and blocking for the cache buy a"
                            + " few times, the packed Vector API micro-kernel buys the most, and the parallel rung"
                            + " multiplies by the cores. The dashed lines are this machine's measured FMA roof: the"
                            + " gap between a rung and the roof is what the next rung removes.",
                    List.of(
                            CORE + "MatMulLadder.java",
                            CORE + "ScalarKernels.java",
                            CORE + "Kernels.java",
                            CORE_T + "KernelsTest.java",
                            CORE_T + "SgemmPeersTest.java")),
            "activations",
            new ChapterGuide(
                    "Compare each function with its derivative: sigmoid and tanh flatten on both sides, which is the"
                            + " vanishing gradient the chain-of-derivatives chart shows (0.25ⁿ), while ReLU's family"
                            + " keeps a slope of 1. GELU, SiLU and Mish are smooth ReLUs with a small negative dip;"
                            + " the softmax table shows why the max is subtracted first, and the norm table how"
                            + " BatchNorm normalises columns where LayerNorm and RMSNorm normalise rows.",
                    List.of(
                            ACT + "Activations.java",
                            ACT + "GELU.java",
                            ACT + "Softmax.java",
                            ACT + "SwiGluFeedForward.java",
                            ACT + "norm/RMSNorm.java",
                            ACT_T + "ActivationsArticleTest.java",
                            ACT_T + "SoftmaxProperties.java",
                            ACT_T + "norm/NormArticleTest.java")),
            "positional",
            new ChapterGuide(
                    "In the heatmap the low dimensions oscillate fast and the high ones slowly: each pair is a clock"
                            + " of its own frequency. The RoPE table keeps |x| constant while the pairs turn, and the"
                            + " three computations of ⟨RoPE(q, 5), RoPE(k, 2)⟩ agree because only m − n matters. In"
                            + " the scaling chart, see which pairs each method stretches: linear interpolation"
                            + " stretches all, NTK and YaRN mostly the slow ones, Llama 3.1 only those past the"
                            + " training context.",
                    List.of(
                            POS + "SinusoidalEncoding.java",
                            POS + "RotaryEmbedding.java",
                            POS + "RopeScaling.java",
                            POS + "Alibi.java",
                            POS_T + "PositionalArticleTest.java",
                            POS_T + "RopeProperties.java",
                            POS_T + "RopeGoldenTest.java")),
            "optimizers",
            new ChapterGuide(
                    "On Beale's function watch the paths, not only the end points: SGD crawls along the valley,"
                            + " momentum overshoots and comes back, the adaptive methods (Adagrad, RMSprop, Adam)"
                            + " rescale each coordinate and head for the minimum. On the saddle, plain SGD started"
                            + " exactly on the ridge never leaves it; the schedule chart is the warmup + cosine curve"
                            + " that LLM pre-training uses.",
                    List.of(
                            OPT + "Adam.java",
                            OPT + "AdamW.java",
                            OPT + "Optimizers.java",
                            OPT + "WarmupCosineLR.java",
                            OPT_T + "OptimizerArticleTest.java",
                            OPT_T + "OptimizerGoldenTest.java",
                            OPT_T + "OptimizerProperties.java")),
            "tokenizers",
            new ChapterGuide(
                    "The first merges are the corpus's most frequent byte pairs (spaces before letters, common"
                            + " suffixes): BPE is compression. The compression chart flattens as the vocabulary"
                            + " grows, on text the trainer never saw; the tokens-per-character table shows how much"
                            + " more o200k_base's larger vocabulary saves on languages other than English.",
                    List.of(
                            TOK + "ByteLevelBpeTrainer.java",
                            TOK + "ByteLevelBpe.java",
                            TOK + "Tiktoken.java",
                            TOK + "WordPiece.java",
                            TOK_T + "ByteLevelArticleTest.java",
                            TOK_T + "MinbpeTest.java",
                            TOK_T + "TiktokenGoldenTest.java")),
            "attention",
            new ChapterGuide(
                    "Walk the softmax road: the 3-pass safe softmax, the 2-pass online softmax and the one-pass"
                            + " (m, d′, o′) recurrence give the same weights, and the last is FlashAttention once it"
                            + " runs per tile. Naive and flash attention agree to float32 rounding, but only the naive"
                            + " one stores the T×T scores: watch its memory grow with the square of the sequence. The"
                            + " KV-cache table shows GQA, MQA and MLA shrinking the bytes per token, which is what"
                            + " decides how many requests fit on one GPU.",
                    List.of(
                            ATT + "ScaledDotProductAttention.java",
                            ATT + "OnlineSoftmax.java",
                            ATT + "FlashAttentionV2.java",
                            ATT + "KvCache.java",
                            ATT + "PagedKvCache.java",
                            ATT + "estimate/InferenceEstimate.java",
                            ATT_T + "SoftmaxRoadArticleTest.java",
                            ATT_T + "FlashAttentionProperties.java",
                            ATT_T + "estimate/InferenceEstimatesArticleTest.java")),
            "transformer",
            new ChapterGuide(
                    "Every module at once: RMSNorm, attention with RoPE, SwiGLU and the residuals, trained by AdamW"
                            + " with warmup, cosine decay and clipping. Watch the loss fall from ln 10 (chance over"
                            + " ten symbols) towards zero as the model learns to copy; in the MoE run, see how the"
                            + " router spreads the tokens over the experts and what the load-balancing loss does.",
                    List.of(
                            ATT + "TransformerBlock.java",
                            ATT + "DecoderStack.java",
                            ATT + "CrossEntropy.java",
                            ATT + "MixtureOfExperts.java",
                            ATT_T + "TransformerBlockTest.java",
                            ATT_T + "TransformerBlockGoldenTest.java",
                            ATT_T + "TinyStackTrainingTest.java",
                            ATT_T + "MixtureOfExpertsTest.java")),
            "quantization",
            new ChapterGuide(
                    "Read the SNR against the bits per weight: every extra bit buys about 6 dB, per-group scales"
                            + " beat per-tensor ones on weights with outliers, and the K-quants spend a few bits on"
                            + " scales to win accuracy back. GPTQ and AWQ lower the error of the layer's output, not"
                            + " of the weights, which is why they beat round-to-nearest at the same bits; the 7B"
                            + " table is what that means for a model's size, and the last table what it means for"
                            + " speed: a matrix-vector product reads every weight once, so fewer bytes per weight"
                            + " make it faster, as long as unpacking them keeps up (Q4_0 read row by row does not;"
                            + " repacked in tiles of 32 rows, as ggml does, it does, and still gives ggml's bits).",
                    List.of(
                            QUA + "LinearQuantizer.java",
                            QUA + "Q8_0.java",
                            QUA + "Q4_0.java",
                            QUA + "Nf4.java",
                            QUA + "Gptq.java",
                            QUA + "Awq.java",
                            QUA + "SmoothQuant.java",
                            QUA + "GgmlMatVec.java",
                            QUA + "RepackedQ4_0.java",
                            QUA_T + "QuantizationArticleTest.java",
                            QUA_T + "GgmlBlockFormatsGoldenTest.java",
                            QUA_T + "GptqGoldenTest.java",
                            QUA_T + "RepackedQ4_0Test.java",
                            QUA_T + "QuantizationProperties.java")));

    /**
     * The guide of a chapter.
     *
     * @param chapterName the chapter's name, any case
     * @return its guide, or a generic one naming no files when the chapter has none here
     */
    public static ChapterGuide of(String chapterName) {
        ChapterGuide g = GUIDES.get(chapterName.toLowerCase(Locale.ROOT));
        return g != null
                ? g
                : new ChapterGuide(
                        "Read the tables against the charts: each chart plots what the table lists in numbers.",
                        List.of());
    }

    /**
     * The chapter names this guide has an entry for.
     *
     * @return the names
     */
    public static java.util.Set<String> names() {
        return GUIDES.keySet();
    }
}
