package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.activations.Activation;
import org.llm4e.activations.Activations;
import org.llm4e.activations.Softmax;
import org.llm4e.attention.AttentionMask;
import org.llm4e.attention.FlashAttention;
import org.llm4e.attention.ScaledDotProductAttention;
import org.llm4e.attention.estimate.KvCacheSize;
import org.llm4e.attention.estimate.ModelConfig;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.optimizers.AdamW;
import org.llm4e.optimizers.Optimizer;
import org.llm4e.positional.RopeScaling;
import org.llm4e.positional.RotaryEmbedding;
import org.llm4e.quantization.Q4_0;
import org.llm4e.quantization.QuantError;
import org.llm4e.tokenizers.Tiktoken;
import org.llm4e.tokenizers.WordPiece;
import org.llm4e.tokenizers.WordPieceTrainer;
import org.llm4e.tokenizers.hf.HfTokenizer;

/**
 * The README's code examples, compiled and run here. Each example is the code between a {@code // README: name} and a
 * {@code // README end} line below; the README quotes it verbatim in the {@code java} block that follows its
 * {@code <!-- snippet: name -->} marker, and {@link #readmeQuotesEverySnippetVerbatim()} checks that the two agree.
 * The assertions after each example are not quoted: they check that it does what the README says.
 */
class ReadmeSnippetsTest {

    @Test
    void core() {
        // README: core
        Tensor a = Tensor.randn(42, 256, 512); // seeded: the same numbers on every JDK
        Tensor b = Tensor.randn(43, 512, 128);
        Tensor c = Kernels.matmul(a, b); // [256, 128], SIMD and multi-threaded when the Vector API is on
        // README end
        assertArrayEquals(new int[] {256, 128}, c.shape());
        double expected = 0;
        for (int p = 0; p < 512; p++) {
            expected += (double) a.get(3, p) * b.get(p, 5);
        }
        assertEquals(expected, c.get(3, 5), 1e-3);
    }

    @Test
    void activations() {
        // README: activations
        Activation gelu = Activations.create("gelu", Map.of("approximate", "tanh")); // torch.nn.functional names
        float[] x = {-2f, -0.5f, 0f, 0.5f, 2f};
        float[] y = new float[x.length];
        gelu.forward(x, y);
        double slope = gelu.derivative(0.5); // every activation has its derivative
        float[] p = Softmax.softmax(new float[] {1000f, 1001f, 1002f}); // stable: no overflow
        // README end
        assertEquals(0.5 * 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (0.5 + 0.044715 * 0.125))), y[3], 1e-6);
        assertTrue(slope > 0.8 && slope < 1.0, "GELU'(0.5) = " + slope);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
        assertTrue(p[2] > p[1] && p[1] > p[0]);
    }

    @Test
    void optimizers() {
        // README: optimizers
        Parameter w = new Parameter("w", new float[] {1f, -2f, 3f});
        Optimizer opt =
                AdamW.builder().lr(1e-2).betas(0.9, 0.999).weightDecay(0.01).build(List.of(w));
        for (int step = 0; step < 100; step++) {
            opt.zeroGrad();
            for (int i = 0; i < w.data().length; i++) {
                w.grad()[i] = 2 * w.data()[i]; // gradient of Σ w²
            }
            opt.step(); // exactly torch.optim.AdamW's update
        }
        // README end
        assertEquals(3, w.data().length);
        for (float v : w.data()) {
            assertTrue(Math.abs(v) < 2.5f, "AdamW moved every weight towards 0: " + v);
        }
        assertTrue(Math.abs(w.data()[0]) < 1f);
    }

    @Test
    void positional() {
        // README: positional
        RotaryEmbedding rope = RotaryEmbedding.builder(128)
                .base(500000)
                .scaling(RopeScaling.llama3(8, 1, 4, 8192)) // Llama 3.1's long-context scaling
                .build();
        float[] q = Tensor.randn(1, 128).data();
        rope.apply(q, 0, 4096); // rotates one head vector in place, as at position 4096
        // README end
        float[] original = Tensor.randn(1, 128).data();
        double n0 = 0;
        double n1 = 0;
        for (int i = 0; i < 128; i++) {
            n0 += original[i] * original[i];
            n1 += q[i] * q[i];
        }
        assertEquals(n0, n1, 1e-3 * n0, "a rotation keeps the norm");
        assertTrue(!java.util.Arrays.equals(original, q));
    }

    @Test
    void attention() {
        // README: attention
        Tensor q = Tensor.randn(1, 1, 4, 64, 32); // [batch, heads, seq, headDim]
        Tensor k = Tensor.randn(2, 1, 2, 64, 32); // 2 kv heads: grouped-query attention
        Tensor v = Tensor.randn(3, 1, 2, 64, 32);
        Tensor naive = ScaledDotProductAttention.forward(q, k, v, AttentionMask.causal());
        Tensor flash = FlashAttention.builder()
                .version(FlashAttention.Version.V2)
                .blockQ(16)
                .blockK(16)
                .build()
                .forward(q, k, v, AttentionMask.causal(), 1 / Math.sqrt(32))
                .output(); // the same numbers, without the 64×64 score matrix
        long kvBytes = KvCacheSize.bytes(ModelConfig.llama31_70b(), 1, 8192); // 2.68 GB per 8K-token sequence
        // README end
        assertTrue(Tensor.allClose(naive, flash, 1e-4, 1e-5));
        assertEquals(80L * 2 * 8 * 128 * 2 * 8192, kvBytes);
    }

    @Test
    void tokenizers() {
        // README: tokenizers
        Tiktoken enc = Tiktoken.load("cl100k_base"); // the rank file is bundled
        int[] ids = enc.encode("hello world"); // tiktoken's encode_ordinary: [15339, 1917]
        String text = enc.decode(ids);
        // README end
        assertArrayEquals(new int[] {15339, 1917}, ids);
        assertEquals("hello world", text);
    }

    @Test
    void tokenizersHf(@TempDir Path dir) throws Exception {
        // README: tokenizers-hf
        String corpus = "low lower lowest newer newest wider widest ".repeat(50);
        WordPiece wordPiece =
                WordPieceTrainer.builder().vocabSize(60).build().train(corpus).tokenizer(true);
        Path file = dir.resolve("tokenizer.json");
        HfTokenizer.save(wordPiece, file); // Hugging Face's format with BERT's pipeline
        HfTokenizer hf = HfTokenizer.load(file); // or any BPE, WordPiece or Unigram tokenizer.json
        int[] ids = hf.encode("newest lower"); // [CLS] … [SEP]: the template adds them
        String text = hf.decode(ids, true);
        // README end
        assertEquals("newest lower", text);
        assertArrayEquals(wordPiece.encode("newest lower"), hf.encode("newest lower", false));
    }

    @Test
    void quantization() {
        // README: quantization
        float[] w = Tensor.randn(7, 4096).data();
        byte[] blocks = Q4_0.quantize(w); // ggml's Q4_0 bytes: 18 per block of 32 weights
        float[] back = Q4_0.dequantize(blocks, w.length);
        double snr = QuantError.of(w, back).snrDb(); // about 19 dB for Gaussian weights
        // README end
        assertEquals(4096 / 32 * 18, blocks.length);
        assertTrue(snr > 15 && snr < 25, "SNR " + snr);
    }

    /** The project's root: the tests run in the tour module's folder. */
    private static Path root() {
        return ChapterGuideTest.root();
    }

    /** The examples of this file, by name, dedented. */
    static Map<String, String> snippets() throws Exception {
        Path self = root().resolve("tour/src/test/java/org/llm4e/tour/ReadmeSnippetsTest.java");
        List<String> lines = Files.readAllLines(self);
        Map<String, String> snippets = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.startsWith("// README: ")) {
                String name = t.substring("// README: ".length());
                List<String> body = new ArrayList<>();
                int j = i + 1;
                while (!lines.get(j).trim().equals("// README end")) {
                    body.add(lines.get(j));
                    j++;
                }
                int indent = body.stream()
                        .filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length())
                        .min()
                        .orElse(0);
                StringBuilder sb = new StringBuilder();
                for (String l : body) {
                    sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
                }
                snippets.put(name, sb.toString());
                i = j;
            }
        }
        return snippets;
    }

    @Test
    void readmeQuotesEverySnippetVerbatim() throws Exception {
        String readme = Files.readString(root().resolve("README.md"));
        Map<String, String> snippets = snippets();
        assertEquals(
                List.of(
                        "core",
                        "activations",
                        "optimizers",
                        "positional",
                        "attention",
                        "tokenizers",
                        "tokenizers-hf",
                        "quantization"),
                new ArrayList<>(snippets.keySet()));
        Matcher m = Pattern.compile("<!-- snippet: ([a-z-]+) -->\\n```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        Map<String, String> quoted = new LinkedHashMap<>();
        while (m.find()) {
            quoted.put(m.group(1), m.group(2));
        }
        assertEquals(snippets.keySet(), quoted.keySet(), "the README's snippet markers");
        for (var e : snippets.entrySet()) {
            assertEquals(
                    e.getValue(),
                    quoted.get(e.getKey()),
                    "README snippet '" + e.getKey() + "' differs from "
                            + "ReadmeSnippetsTest: copy the test's version into the README");
        }
    }
}
