package org.llm4e.quantization;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quantization names of GGUF model files ({@code llama-quantize}'s file types such as {@code Q4_K_M}), parsed as
 * {@code 大模型量化认知的三重境界.md} §2.2 explains them.
 *
 * <pre>
 *   Q4_K_M  =  Q4 (main bit width 2 … 8)  _K (block-wise K-quant)  _M (quality: S small, M medium, L large)
 *   Q8_0    =  Q8, legacy block format variant 0 (scale only; variant 1 adds a min)
 * </pre>
 *
 * <p>The article's table (figure 5) lists Q2_K, Q4_K_M, Q5_K_M, Q6_K and Q8_0; "_K" files keep some tensors at
 * more bits (Q4_K_M stores e.g. {@code attention.wv} at 6 bits), so a name gives the <i>nominal</i> bits; the exact
 * size depends on the model. {@link #mainType()} names the block format used for most tensors when this library
 * has it.
 *
 * @param name the name as given, upper-cased
 * @param bits the nominal bit width, 2 … 8
 * @param kQuant whether it is a K-quant ({@code _K})
 * @param variant the legacy variant 0 or 1 for non-K names, −1 for K-quants
 * @param size {@code 'S'}, {@code 'M'}, {@code 'L'} or {@code ' '} when the name has no size suffix
 */
public record GgufQuantName(String name, int bits, boolean kQuant, int variant, char size) {
    private static final Pattern K = Pattern.compile("Q([2-8])_K(?:_([SML]))?");
    private static final Pattern LEGACY = Pattern.compile("Q([4-8])_([01])");

    /**
     * Parses a name.
     *
     * @param name e.g. {@code "Q4_K_M"} (case-insensitive)
     * @return its parts
     * @throws IllegalArgumentException if the name is not a ggml quantization name of this grammar
     */
    public static GgufQuantName parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        Matcher k = K.matcher(n);
        if (k.matches()) {
            char size = k.group(2) == null ? ' ' : k.group(2).charAt(0);
            return new GgufQuantName(n, Integer.parseInt(k.group(1)), true, -1, size);
        }
        Matcher l = LEGACY.matcher(n);
        if (l.matches() && !l.group(1).equals("6") && !l.group(1).equals("7")) {
            int bits = Integer.parseInt(l.group(1));
            int variant = Integer.parseInt(l.group(2));
            if (bits == 8 && variant == 1) {
                // Q8_1 exists only as an activation format inside ggml, not as a file type
                throw new IllegalArgumentException("name Q8_1 is not a GGUF file quantization; expected e.g. Q8_0");
            }
            return new GgufQuantName(n, bits, false, variant, ' ');
        }
        throw new IllegalArgumentException("name must look like Q4_K_M, Q6_K or Q8_0 (Q<bits>_K[_S|_M|_L] or "
                + "Q<4|5|8>_<0|1>), got \"" + name + "\"");
    }

    /**
     * The block format of most tensors, when this library implements it.
     *
     * @return the type, or {@code null} (Q2_K, Q3_K, Q5_K have no encoder here yet)
     */
    public GgmlType mainType() {
        String base = kQuant ? "Q" + bits + "_K" : "Q" + bits + "_" + variant;
        for (GgmlType t : GgmlType.values()) {
            if (t.name().equals(base)) {
                return t;
            }
        }
        return null;
    }
}
