package org.llm4e.tour;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.llm4e.quantization.GgufFile;
import org.llm4e.quantization.GgufFormatException;
import org.llm4e.quantization.GgufTensorInfo;
import org.llm4e.quantization.GgufValue;
import org.llm4e.quantization.GgufValueType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llm4e gguf FILE}: prints what a GGUF file holds, read by the quantization module's {@link GgufFile} — the
 * header (version, alignment, where the tensor data starts), the metadata key-value pairs as a table (arrays shortened
 * to their first elements) and the tensor table: name, ggml type, shape (GGUF order, innermost dimension first),
 * elements, bytes, bits per weight and offset from the start of the tensor data.
 *
 * <p>Bits per weight are the bytes a tensor occupies times 8 over its elements, so block scales count (Q4_0 is 4.5).
 * Only the header and the tensor infos are read into memory; the tensor data stays on disk. A file that is not GGUF
 * or is cut short is reported with the byte offset where reading failed (exit status 1).
 */
@Command(
        name = "gguf",
        mixinStandardHelpOptions = true,
        description = "Print the header, metadata and tensor table of a GGUF file.")
public final class GgufCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "a .gguf file")
    Path file;

    @Option(
            names = "--max-array",
            paramLabel = "N",
            defaultValue = "8",
            description = "array elements shown per metadata value (default: ${DEFAULT-VALUE})")
    int maxArray;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "FILE must be a readable GGUF file, got '" + file + "'");
        }
        if (maxArray < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-array must be >= 0, got " + maxArray);
        }
        PrintWriter out = spec.commandLine().getOut();
        GgufFile gguf;
        long size;
        try {
            size = Files.size(file);
            gguf = GgufFile.read(file);
        } catch (GgufFormatException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("not a readable GGUF file (at byte offset " + e.offset() + "): " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("cannot read " + file + ": " + e);
            err.flush();
            return 1;
        }
        out.print(render(gguf, file.toString(), size, maxArray));
        out.flush();
        return 0;
    }

    /**
     * The report of a parsed file.
     *
     * @param gguf the file
     * @param name the name to print
     * @param fileSize the file's size in bytes
     * @param maxArray array elements to show per metadata value
     * @return the text, ending with a newline
     */
    static String render(GgufFile gguf, String name, long fileSize, int maxArray) {
        StringBuilder sb = new StringBuilder();
        long dataBytes = fileSize - gguf.dataOffset();
        sb.append(String.format(
                Locale.ROOT,
                "%s: GGUF version %d, %,d bytes%n  alignment %d, %d metadata keys, %d tensors, tensor data at byte"
                        + " %,d (%,d bytes)%n%n",
                name,
                gguf.version(),
                fileSize,
                gguf.alignment(),
                gguf.metadata().size(),
                gguf.tensors().size(),
                gguf.dataOffset(),
                dataBytes));

        TextTable meta = new TextTable("key", "type", "value");
        for (Map.Entry<String, GgufValue> e : gguf.metadata().entrySet()) {
            meta.row(e.getKey(), typeOf(e.getValue()), valueOf(e.getValue(), maxArray));
        }
        sb.append("metadata\n").append(meta.render()).append('\n');

        TextTable t = new TextTable("tensor", "type", "shape", "elements", "bytes", "bits/weight", "offset");
        long elements = 0;
        long bytes = 0;
        for (GgufTensorInfo info : gguf.tensors()) {
            elements += info.elementCount();
            bytes += info.byteSize();
            t.row(
                    info.name(),
                    info.typeName(),
                    Arrays.toString(info.shape()),
                    String.format(Locale.ROOT, "%,d", info.elementCount()),
                    String.format(Locale.ROOT, "%,d", info.byteSize()),
                    bitsPerWeight(info.byteSize(), info.elementCount()),
                    String.format(Locale.ROOT, "%,d", info.offset()));
        }
        sb.append("tensors\n").append(t.render());
        sb.append(String.format(
                Locale.ROOT,
                "total: %,d elements in %,d bytes, %s bits per weight on average%n",
                elements,
                bytes,
                bitsPerWeight(bytes, elements)));
        return sb.toString();
    }

    /** 8 · bytes / elements with three decimals, or "-" for an empty tensor. */
    static String bitsPerWeight(long bytes, long elements) {
        return elements == 0 ? "-" : String.format(Locale.ROOT, "%.3f", 8.0 * bytes / elements);
    }

    private static String typeOf(GgufValue v) {
        if (v.type() != GgufValueType.ARRAY) {
            return v.type().name();
        }
        return "ARRAY[" + v.elementType().name() + " × " + v.length() + "]";
    }

    private static String valueOf(GgufValue v, int maxArray) {
        if (v.type() != GgufValueType.ARRAY) {
            return scalar(v);
        }
        int n = v.length();
        int shown = Math.min(n, maxArray);
        StringBuilder sb = new StringBuilder("[");
        if (v.elementType() == GgufValueType.ARRAY) {
            GgufValue[] a = v.asArrayArray();
            for (int i = 0; i < shown; i++) {
                sb.append(i == 0 ? "" : ", ").append(valueOf(a[i], maxArray));
            }
        } else {
            java.util.List<Object> list = v.asList();
            for (int i = 0; i < shown; i++) {
                Object e = list.get(i);
                sb.append(i == 0 ? "" : ", ")
                        .append(
                                e instanceof String
                                        ? quote((String) e)
                                        : v.elementType() == GgufValueType.UINT64
                                                ? Long.toUnsignedString((Long) e)
                                                : String.valueOf(e));
            }
        }
        if (n > shown) {
            sb.append(shown == 0 ? "" : ", ").append("… ").append(n - shown).append(" more");
        }
        return sb.append(']').toString();
    }

    private static String scalar(GgufValue v) {
        switch (v.type()) {
            case STRING:
                return quote(v.asString());
            case BOOL:
                return String.valueOf(v.asBoolean());
            case FLOAT32:
            case FLOAT64:
                return String.valueOf(v.type() == GgufValueType.FLOAT32 ? (float) v.asDouble() : v.asDouble());
            case UINT64:
                return Long.toUnsignedString(v.asLong());
            default:
                return String.valueOf(v.asLong());
        }
    }

    /** A string in double quotes, control characters escaped, cut after 80 characters. */
    private static String quote(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
