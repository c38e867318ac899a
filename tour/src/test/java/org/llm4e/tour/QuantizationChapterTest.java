package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.attention.estimate.FlopsEstimate;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.GgmlType;
import org.llm4e.quantization.Q4_0;
import org.llm4e.quantization.Q8_0;
import org.llm4e.quantization.QuantError;

class QuantizationChapterTest {

    @Test
    void writesTheChartsAndTheLibrarysNumbers(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new QuantizationChapter(), ctx, dir);
        Pngs.assertRealPngs(
                ctx[0].written(),
                "quantization-snr.png",
                "quantization-nf4-histogram.png",
                "quantization-gptq-awq-rtn.png",
                "quantization-smoothquant.png");

        // the GGUF rows agree with the block formats' own classes on the same weights
        float[] w = QuantizationChapter.weights(
                        QuantizationChapter.SEED, QuantizationChapter.ROWS, QuantizationChapter.COLS)
                .data();
        double q4 =
                QuantError.of(w, Q4_0.dequantize(Q4_0.quantize(w), w.length)).snrDb();
        double q8 =
                QuantError.of(w, Q8_0.dequantize(Q8_0.quantize(w), w.length)).snrDb();
        assertTrue(out.contains(String.format(Locale.ROOT, "GGUF Q4_0 | 4.500 | %.2f |", q4)), out);
        assertTrue(out.contains(String.format(Locale.ROOT, "GGUF Q8_0 | 8.500 | %.2f |", q8)), out);
        assertTrue(q8 > q4 + 20, "Q8_0 " + q8 + " dB vs Q4_0 " + q4 + " dB");
        for (String scheme : new String[] {
            "INT8 per tensor", "NF4 blocks of 64", "FP8 E4M3 scaled", "GGUF Q6_K", "GGUF Q4_K", "GGUF BF16"
        }) {
            assertTrue(out.contains(scheme + " |"), scheme + " missing\n" + out);
        }

        // the 7B memory table: Llama 2 7B's parameter count from its config, bytes from each type
        long params = FlopsEstimate.parameterCount(QuantizationChapter.llama2_7b());
        assertTrue(params > 6.5e9 && params < 6.8e9, "a 7B model: " + params);
        assertTrue(out.contains(String.format(Locale.ROOT, "%,d parameters", params)), out);
        assertTrue(
                out.contains(
                        String.format(Locale.ROOT, "GGUF Q4_0 | 4.5000 | %.2f |", GgmlType.Q4_0.bytes(params) / 1e9)),
                out);
        assertTrue(out.contains(String.format(Locale.ROOT, "GGUF F16 | 16.0000 | %.2f |", params * 2 / 1e9)), out);

        // the mat-vec table: four storages of the same matrix, sizes from the formats, the repacked product ggml's bits
        double mib = QuantizationChapter.MATVEC_ROWS * QuantizationChapter.MATVEC_COLS / (double) (1 << 20);
        assertRow(out, "fp32 \\(sgemv\\)", 4 * mib, "\\(the reference\\)", "");
        assertRow(out, "Q8_0", 34 * mib / 32, "0\\.0\\d\\d\\d", "within \\d\\.\\de-0\\d \\(float order\\)");
        assertRow(
                out, "Q4_0 on its GGUF bytes", 18 * mib / 32, "0\\.\\d{4}", "within \\d\\.\\de-0\\d \\(float order\\)");
        assertRow(
                out, "Q4_0 repacked in tiles of 32 rows", 20 * mib / 32, "0\\.\\d{4}", "same bits \\(ggml's order\\)");
    }

    /** A row of the mat-vec table: name, MiB, µs, GB/s, × fp32, relative error, agreement with ggml's scalar dot. */
    private static void assertRow(String out, String name, double mib, String error, String ggml) {
        String row = name + " +\\| +" + String.format(Locale.ROOT, "%.2f", mib).replace(".", "\\.")
                + " \\| +\\d+ \\| +\\d+\\.\\d \\| +\\d+\\.\\d\\d× \\| " + error + " +\\| ?" + ggml;
        assertTrue(java.util.regex.Pattern.compile("(?m)^" + row).matcher(out).find(), row + "\n" + out);
    }

    @Test
    void schemesOrderAsTheirBitsSay() {
        Tensor w = QuantizationChapter.weights(3, 16, 256);
        List<QuantizationChapter.Scheme> s = QuantizationChapter.schemes(w.data(), w);
        double int8 = snr(s, "INT8 per channel");
        double int4 = snr(s, "INT4 per channel");
        double grouped = snr(s, "INT4 groups of 128");
        assertTrue(int8 > int4 + 15, int8 + " vs " + int4);
        assertTrue(grouped > int4, "smaller groups adapt to the outliers: " + grouped + " vs " + int4);
        assertTrue(snr(s, "GGUF F16") > snr(s, "GGUF BF16"), "F16 keeps 3 more mantissa bits than BF16");
        for (QuantizationChapter.Scheme x : s) {
            assertTrue(x.bitsPerWeight() > 4 && x.bitsPerWeight() <= 16.01, x.name() + " " + x.bitsPerWeight());
        }
    }

    private static double snr(List<QuantizationChapter.Scheme> s, String name) {
        return s.stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow()
                .error()
                .snrDb();
    }

    @Test
    void gptqAndAwqBeatRoundToNearestAndSmoothQuantHelpsW8A8() {
        QuantizationChapter.LayerErrors e = QuantizationChapter.layerErrors();
        for (int i = 0; i < e.bits().length; i++) {
            assertTrue(e.gptq()[i] < e.rtn()[i], "GPTQ at " + e.bits()[i] + " bits");
            assertTrue(e.awq()[i] < e.rtn()[i], "AWQ at " + e.bits()[i] + " bits");
        }
        String table = QuantizationChapter.layerTable(e).render().replaceAll(" +", " ");
        assertTrue(
                table.contains(String.format(Locale.ROOT, "GPTQ | %.4f | %.3f", e.gptq()[1], e.gptq()[1] / e.rtn()[1])),
                table);

        QuantizationChapter.Smooth sm = QuantizationChapter.smoothQuant();
        assertTrue(sm.smooth() < sm.naive() / 2, sm.smooth() + " vs " + sm.naive());
        assertTrue(
                QuantizationChapter.Smooth.spread(sm.xAfter()) < QuantizationChapter.Smooth.spread(sm.xBefore()) / 4);
    }
}
