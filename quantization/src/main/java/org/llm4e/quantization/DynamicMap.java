package org.llm4e.quantization;

/**
 * bitsandbytes' 8-bit "dynamic tree" quantization map, {@code create_dynamic_map(signed=True)}: the code QLoRA's
 * double quantization uses for the absmax constants (bitsandbytes' default for {@code quantize_blockwise}).
 *
 * <pre>
 *   for i = 0 … 6:  boundaries = linspace(0.1, 1, 2^i + 1);  means of neighbouring boundaries · 10^(i − 6)
 *                   → 2^i positive values and their negatives
 *   plus 0 and 1;   256 values sorted ascending
 * </pre>
 *
 * <p>Each exponent 10^(i − 6) gets a linear fraction of 2^i steps, so the map is dense near 0 and spans
 * [−0.993, 1] (Dettmers 2016, "8-bit approximations for parallelism in deep learning"; QLoRA, arXiv 2305.14314, §3).
 * {@link #signed()} is the table as torch 1.13.1 computes it in float32 (taken from bitsandbytes via the golden
 * reference, MIT); {@link #computeSigned()} follows the formula with double {@code linspace} and differs from it in
 * the last bit of some entries, because {@code torch.linspace} has its own float32 algorithm. Quantizing uses the
 * torch table, as bitsandbytes does.
 */
public final class DynamicMap {
    private static final String SIGNED_HEX = ""
            + "33337ebf99997abf000077bf666673bfcccc6fbf33336cbf9a9968bf000065bf666661bfcccc5dbf33335abf999956bf"
            + "000053bf66664fbfcccc4bbf333348bf9a9944bf000041bf67663dbfcdcc39bf343336bf9a9932bf00002fbf67662bbf"
            + "cdcc27bf333324bf9a9920bf00001dbf666619bfcdcc15bf343312bf9a990ebf00000bbf666607bfcdcc03bf333300bf"
            + "3433f9be0000f2becccceabe9a99e3be6666dcbe3233d5be0000cebeccccc6be9a99bfbe6666b8be3233b1be0000aabe"
            + "cccca2be9a999bbe666694be34338dbe000086be9a997dbe34336fbecdcc60be666652be000044be999935be333327be"
            + "cdcc18be66660abe0000f8bd3433dbbd85ebc9bdf528c4bd6766bebdd7a3b8bd48e1b2bdb81eadbd285ca7bd9a99a1bd"
            + "0ad79bbd7b1496bdeb5190bd5d8f8abdcdcc84bd7a147ebd5d8f72bd3d0a67bd1f855bbd000050bde17a44bdc3f538bd"
            + "a3702dbd85eb21bd676616bd47e10abd52b8febc13aee7bcd7a3d0bc9a99b9bc5c8fa2bc1f858bbcc3f568bc48e13abc"
            + "643b1fbc180416bccdcc0cbc819503bc6abcf4bbd34de2bb3bdfcfbba470bdbb0d02abbb749398bbdd2486bb8a6c67bb"
            + "5c8f42bb2db21dbbfca9f1ba9defa7baff6577ba3ee859ba806a3cbac1ec1eba016f01ba83e2c7b905e78cb90bd723b9"
            + "4b1fbab8b3ef8ab8348037b80642b2b7ff0502b7941a5ab6b7a313b500000000b7a31335941a5a36ff0502370642b237"
            + "34803738b3ef8a384b1fba380bd7233905e78c3983e2c739016f013ac1ec1e3a806a3c3a3ee8593aff65773a9defa73a"
            + "fca9f13a2db21d3b5c8f423b8a6c673bdd24863b7493983b0d02ab3ba470bd3b3bdfcf3bd34de23b6abcf43b8195033c"
            + "cdcc0c3c1804163c643b1f3c48e13a3cc3f5683c1f858b3c5c8fa23c9a99b93cd7a3d03c13aee73c52b8fe3c47e10a3d"
            + "6766163d85eb213da3702d3dc3f5383de17a443d0000503d1f855b3d3d0a673d5d8f723d7a147e3dcdcc843d5d8f8a3d"
            + "eb51903d7b14963d0ad79b3d9a99a13d285ca73db81ead3d48e1b23dd7a3b83d6766be3df528c43d85ebc93d3433db3d"
            + "0000f83d66660a3ecdcc183e3333273e9999353e0000443e6666523ecdcc603e34336f3e9a997d3e0000863e34338d3e"
            + "6666943e9a999b3ecccca23e0000aa3e3233b13e6666b83e9a99bf3eccccc63e0000ce3e3233d53e6666dc3e9a99e33e"
            + "ccccea3e0000f23e3433f93e3333003fcdcc033f6666073f00000b3f9a990e3f3433123fcdcc153f6666193f00001d3f"
            + "9a99203f3333243fcdcc273f67662b3f00002f3f9a99323f3433363fcdcc393f67663d3f0000413f9a99443f3333483f"
            + "cccc4b3f66664f3f0000533f9999563f33335a3fcccc5d3f6666613f0000653f9a99683f33336c3fcccc6f3f6666733f"
            + "0000773f99997a3f33337e3f0000803f";

    private static final float[] SIGNED = decode(SIGNED_HEX);

    private DynamicMap() {}

    /**
     * The 256 values of the signed dynamic map as bitsandbytes (torch float32) computes them, ascending.
     *
     * @return a copy of the table
     */
    public static float[] signed() {
        return SIGNED.clone();
    }

    /** The shared table, not copied (package-internal hot paths). */
    static float[] table() {
        return SIGNED;
    }

    /**
     * Recomputes the signed map from its definition (float64 {@code linspace}, float32 means and products).
     *
     * @return 256 values, ascending; equal to {@link #signed()} up to one unit in the last place
     */
    public static float[] computeSigned() {
        float[] data = new float[256];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int n = (1 << i) + 1;
            float[] bnd = new float[n];
            for (int j = 0; j < n; j++) {
                // numpy linspace: start + j · step, the last point exactly the end
                bnd[j] = j == n - 1 ? 1.0f : (float) (0.1 + j * ((1.0 - 0.1) / (n - 1)));
            }
            float scale = (float) Math.pow(10.0, -6 + i);
            for (int j = 0; j < n - 1; j++) {
                float mean = (bnd[j] + bnd[j + 1]) / 2f;
                float p = mean * scale;
                data[k++] = p;
                data[k++] = -p;
            }
        }
        data[k++] = 0f;
        data[k] = 1f;
        java.util.Arrays.sort(data);
        return data;
    }

    /**
     * The index of the nearest table value (distance in double), the lower index on a tie, as
     * {@code argmin(|x − map|)}.
     *
     * @param x a finite value
     * @return a code in 0 … 255
     */
    public static int nearest(float x) {
        float[] t = SIGNED;
        int lo = 0;
        int hi = t.length - 1;
        if (x <= t[0]) {
            return 0;
        }
        if (x >= t[hi]) {
            return hi;
        }
        while (hi - lo > 1) { // invariant t[lo] < x ≤ t[hi]
            int mid = (lo + hi) >>> 1;
            if (t[mid] < x) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double dl = Math.abs((double) x - t[lo]);
        double dh = Math.abs((double) x - t[hi]);
        return dh < dl ? hi : lo;
    }

    private static float[] decode(String hex) {
        float[] out = new float[hex.length() / 8];
        for (int i = 0; i < out.length; i++) {
            int bits = 0;
            for (int b = 3; b >= 0; b--) { // little-endian float32
                int off = 8 * i + 2 * b;
                bits = (bits << 8) | Integer.parseInt(hex.substring(off, off + 2), 16);
            }
            out[i] = Float.intBitsToFloat(bits);
        }
        return out;
    }
}
