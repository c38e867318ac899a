package org.llm4e.optimizers;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.llm4e.core.Parameter;

/**
 * Writes and reads an optimizer checkpoint: its {@link Optimizer#stateDict()} and the values of its parameters, so that
 * save → load → continue equals an uninterrupted run bit for bit.
 *
 * <p><b>Format, version 1.</b> Big-endian ({@link DataOutputStream}); strings are a u16 byte length followed by UTF-8
 * ({@code writeUTF}'s modified UTF-8); floats and doubles are their raw IEEE-754 bits, so NaN payloads and −0 survive.
 *
 * <pre>
 * magic        8 bytes  "LLM4EOPT"
 * version      i32      1
 * optimizer    string   torch class name ("AdamW")
 * groups       i32      G, then per group:
 *   params     i32      number of parameters in the group
 *   hyper      i32      H, then H × (key string, tag u8, value)
 *                       tag 'N' f64 | 'B' u8 (0/1) | 'P' f64 f64
 * parameters   i32      P (over all groups, in order), then per parameter:
 *   name       string
 *   length     i32      n
 *   data       n × f32
 * states       i32      S, then per state:
 *   index      i32      parameter index
 *   entries    i32      E, then E × (key string, tag u8, value)
 *                       tag 'L' i64 (step) | 'D' f64 (scalar state) | 'F' i32 n, n × f32 (buffer)
 * crc32        i64      CRC-32 of every byte before it
 * </pre>
 *
 * <p>Errors: a stream that is truncated, has a wrong magic, an unknown version or tag, or a bad checksum throws a
 * {@link CheckpointFormatException} naming the byte offset; a well-formed checkpoint that does not fit the optimizer
 * (another optimizer, other group or parameter counts, other parameter names or sizes) throws an
 * {@link IllegalArgumentException} saying which. In both cases the optimizer and its parameters are unchanged.
 */
public final class Checkpoints {
    /** The first eight bytes of every checkpoint. */
    public static final String MAGIC = "LLM4EOPT";

    /** The format version this class writes. */
    public static final int VERSION = 1;

    private Checkpoints() {}

    /**
     * Writes the optimizer's state and parameter values.
     *
     * @param out the stream (not closed)
     * @param optimizer an optimizer of this library
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the optimizer is not one of this library's
     */
    public static void write(OutputStream out, Optimizer optimizer) throws IOException {
        BaseOptimizer opt = own(optimizer);
        CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        data.writeInt(VERSION);
        data.writeUTF(opt.name());
        Map<String, Object> sd = opt.stateDict();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) sd.get("param_groups");
        data.writeInt(groups.size());
        List<Parameter> params = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            Map<String, Object> g = groups.get(gi);
            params.addAll(opt.paramGroups().get(gi).params());
            data.writeInt(((List<?>) g.get("params")).size());
            data.writeInt(g.size() - 1);
            for (Map.Entry<String, Object> e : g.entrySet()) {
                if (e.getKey().equals("params")) {
                    continue;
                }
                data.writeUTF(e.getKey());
                Object v = e.getValue();
                if (v instanceof Double) {
                    data.writeByte('N');
                    data.writeDouble((Double) v);
                } else if (v instanceof Boolean) {
                    data.writeByte('B');
                    data.writeByte((Boolean) v ? 1 : 0);
                } else {
                    double[] pair = (double[]) v;
                    data.writeByte('P');
                    data.writeDouble(pair[0]);
                    data.writeDouble(pair[1]);
                }
            }
        }
        data.writeInt(params.size());
        for (Parameter p : params) {
            data.writeUTF(p.name());
            writeFloats(data, p.data());
        }
        @SuppressWarnings("unchecked")
        Map<Integer, Map<String, Object>> state = (Map<Integer, Map<String, Object>>) sd.get("state");
        data.writeInt(state.size());
        for (Map.Entry<Integer, Map<String, Object>> e : state.entrySet()) {
            data.writeInt(e.getKey());
            data.writeInt(e.getValue().size());
            for (Map.Entry<String, Object> entry : e.getValue().entrySet()) {
                data.writeUTF(entry.getKey());
                Object v = entry.getValue();
                if (v instanceof Long) {
                    data.writeByte('L');
                    data.writeLong((Long) v);
                } else if (v instanceof Double) {
                    data.writeByte('D');
                    data.writeDouble((Double) v);
                } else {
                    data.writeByte('F');
                    writeFloats(data, (float[]) v);
                }
            }
        }
        data.flush();
        long crc = checked.getChecksum().getValue();
        data.writeLong(crc);
        data.flush();
    }

    /**
     * Reads a checkpoint into the optimizer: its state, group hyperparameters and parameter values.
     *
     * @param in the stream (not closed; read up to the end of the checkpoint)
     * @param optimizer an optimizer of the same kind over parameters of the same names and sizes
     * @throws CheckpointFormatException if the stream is not a valid checkpoint (offset and reason in the message)
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if the checkpoint does not fit the optimizer (the message says how)
     */
    public static void read(InputStream in, Optimizer optimizer) throws IOException {
        BaseOptimizer opt = own(optimizer);
        Reader r = new Reader(in);
        byte[] magic = r.bytes(MAGIC.length(), "magic");
        if (!MAGIC.equals(new String(magic, StandardCharsets.ISO_8859_1))) {
            throw new CheckpointFormatException(
                    0, "the magic is not " + MAGIC + " (not an llm4e optimizer checkpoint)");
        }
        int version = r.i32("version");
        if (version != VERSION) {
            throw new CheckpointFormatException(
                    MAGIC.length(), "unsupported version " + version + ", this library reads " + VERSION);
        }
        String name = r.utf("optimizer name");
        List<Map<String, Object>> groups = new ArrayList<>();
        int groupCount = r.count("group count");
        int paramIndex = 0;
        for (int gi = 0; gi < groupCount; gi++) {
            int n = r.count("parameter count of group " + gi);
            int h = r.count("hyperparameter count of group " + gi);
            Map<String, Object> g = new LinkedHashMap<>();
            for (int k = 0; k < h; k++) {
                String key = r.utf("hyperparameter name");
                long at = r.offset();
                int tag = r.u8("hyperparameter tag");
                switch (tag) {
                    case 'N':
                        g.put(key, r.f64(key));
                        break;
                    case 'B':
                        g.put(key, r.u8(key) != 0);
                        break;
                    case 'P':
                        g.put(key, new double[] {r.f64(key), r.f64(key)});
                        break;
                    default:
                        throw new CheckpointFormatException(at, "unknown hyperparameter tag " + tag + " for " + key);
                }
            }
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                ids.add(paramIndex++);
            }
            g.put("params", ids);
            groups.add(g);
        }
        int paramCount = r.count("parameter count");
        List<String> names = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (int i = 0; i < paramCount; i++) {
            names.add(r.utf("parameter name"));
            values.add(r.floats("data of parameter " + i));
        }
        Map<Integer, Object> state = new LinkedHashMap<>();
        int stateCount = r.count("state count");
        for (int s = 0; s < stateCount; s++) {
            int index = r.i32("state index");
            int entries = r.count("state entry count");
            Map<String, Object> st = new LinkedHashMap<>();
            for (int e = 0; e < entries; e++) {
                String key = r.utf("state entry name");
                long at = r.offset();
                int tag = r.u8("state entry tag");
                switch (tag) {
                    case 'L':
                        st.put(key, r.i64(key));
                        break;
                    case 'D':
                        st.put(key, r.f64(key));
                        break;
                    case 'F':
                        st.put(key, r.floats(key));
                        break;
                    default:
                        throw new CheckpointFormatException(at, "unknown state tag " + tag + " for " + key);
                }
            }
            state.put(index, st);
        }
        long computed = r.checksum();
        long at = r.offset();
        long stored = r.i64("checksum");
        if (stored != computed) {
            throw new CheckpointFormatException(
                    at,
                    "checksum mismatch (stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(computed)
                            + "): the content is corrupt");
        }
        // Well-formed: now check that it fits this optimizer, then apply (loadStateDict is itself all-or-nothing).
        if (!name.equals(opt.name())) {
            throw new IllegalArgumentException(
                    "the checkpoint holds a " + name + " state, this optimizer is " + opt.name());
        }
        List<Parameter> params = new ArrayList<>();
        for (ParamGroup g : opt.paramGroups()) {
            params.addAll(g.params());
        }
        if (paramCount != params.size()) {
            throw new IllegalArgumentException(
                    "the checkpoint has " + paramCount + " parameters, this optimizer has " + params.size());
        }
        for (int i = 0; i < paramCount; i++) {
            Parameter p = params.get(i);
            if (!names.get(i).equals(p.name()) || values.get(i).length != p.size()) {
                throw new IllegalArgumentException("checkpoint parameter " + i + " is '" + names.get(i) + "' with "
                        + values.get(i).length + " elements, this optimizer's is '" + p.name() + "' with " + p.size());
            }
        }
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", state);
        sd.put("param_groups", groups);
        opt.loadStateDict(sd);
        for (int i = 0; i < paramCount; i++) {
            float[] v = values.get(i);
            System.arraycopy(v, 0, params.get(i).data(), 0, v.length);
        }
    }

    private static BaseOptimizer own(Optimizer optimizer) {
        if (!(optimizer instanceof BaseOptimizer)) {
            throw new IllegalArgumentException("optimizer must be one of this library's optimizers, got "
                    + (optimizer == null ? "null" : optimizer.getClass().getName()));
        }
        return (BaseOptimizer) optimizer;
    }

    private static void writeFloats(DataOutputStream data, float[] v) throws IOException {
        data.writeInt(v.length);
        byte[] buf = new byte[4 * Math.min(v.length, 1 << 14)];
        for (int start = 0; start < v.length; start += buf.length / 4) {
            int n = Math.min(buf.length / 4, v.length - start);
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits(v[start + i]);
                buf[4 * i] = (byte) (bits >>> 24);
                buf[4 * i + 1] = (byte) (bits >>> 16);
                buf[4 * i + 2] = (byte) (bits >>> 8);
                buf[4 * i + 3] = (byte) bits;
            }
            data.write(buf, 0, 4 * n);
        }
    }

    /** A DataInputStream that knows its offset and turns EOF into a format error naming what was being read. */
    private static final class Reader {
        private final CheckedInputStream checked;
        private final DataInputStream in;
        private long offset;

        Reader(InputStream raw) {
            checked = new CheckedInputStream(raw, new CRC32());
            in = new DataInputStream(checked);
        }

        long offset() {
            return offset;
        }

        long checksum() {
            return checked.getChecksum().getValue();
        }

        private CheckpointFormatException truncated(String what) {
            return new CheckpointFormatException(offset, "truncated while reading " + what);
        }

        byte[] bytes(int n, String what) throws IOException {
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (EOFException e) {
                throw truncated(what);
            }
            offset += n;
            return b;
        }

        int u8(String what) throws IOException {
            int v = in.read();
            if (v < 0) {
                throw truncated(what);
            }
            offset++;
            return v;
        }

        int i32(String what) throws IOException {
            try {
                int v = in.readInt();
                offset += 4;
                return v;
            } catch (EOFException e) {
                throw truncated(what);
            }
        }

        int count(String what) throws IOException {
            long at = offset;
            int v = i32(what);
            if (v < 0) {
                throw new CheckpointFormatException(at, what + " is negative: " + v);
            }
            return v;
        }

        long i64(String what) throws IOException {
            try {
                long v = in.readLong();
                offset += 8;
                return v;
            } catch (EOFException e) {
                throw truncated(what);
            }
        }

        double f64(String what) throws IOException {
            return Double.longBitsToDouble(i64(what));
        }

        String utf(String what) throws IOException {
            long at = offset;
            int length;
            try {
                length = in.readUnsignedShort();
            } catch (EOFException e) {
                throw truncated(what);
            }
            offset += 2;
            byte[] b = bytes(length, what);
            try {
                return new DataInputStream(new java.io.ByteArrayInputStream(withLength(b))).readUTF();
            } catch (IOException e) {
                throw new CheckpointFormatException(at, what + " is not valid modified UTF-8");
            }
        }

        private static byte[] withLength(byte[] b) {
            byte[] out = new byte[b.length + 2];
            out[0] = (byte) (b.length >>> 8);
            out[1] = (byte) b.length;
            System.arraycopy(b, 0, out, 2, b.length);
            return out;
        }

        float[] floats(String what) throws IOException {
            int n = count("length of " + what);
            // Grow as data arrives, so a corrupt length fails as truncation instead of allocating gigabytes.
            float[] v = new float[Math.min(n, 1 << 16)];
            byte[] buf = new byte[4 * Math.min(n, 1 << 14)];
            for (int start = 0; start < n; start += buf.length / 4) {
                int k = Math.min(buf.length / 4, n - start);
                byte[] chunk = k == buf.length / 4 ? bytes(buf.length, what) : bytes(4 * k, what);
                if (start + k > v.length) {
                    v = java.util.Arrays.copyOf(v, (int) Math.min(n, Math.max(start + k, 2L * v.length)));
                }
                for (int i = 0; i < k; i++) {
                    int bits = ((chunk[4 * i] & 0xff) << 24)
                            | ((chunk[4 * i + 1] & 0xff) << 16)
                            | ((chunk[4 * i + 2] & 0xff) << 8)
                            | (chunk[4 * i + 3] & 0xff);
                    v[start + i] = Float.intBitsToFloat(bits);
                }
            }
            return v;
        }
    }
}
