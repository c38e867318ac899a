package org.llm4e.tour;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.llm4e.tokenizers.Tiktoken;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm4e tokenize [--encoding NAME] [--count | --pieces]}: encodes standard input (UTF-8, taken as it is,
 * trailing newline included) with one of the bundled tiktoken encodings — {@code encode_ordinary}, so special-token
 * text is ordinary text — and prints the ids on one line separated by spaces, only their number ({@code --count}), or
 * one token per line as {@code id<TAB>piece} ({@code --pieces}; the piece in double quotes with Java escapes, bytes that
 * are not whole UTF-8 characters as {@code \xNN}).
 */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Encode standard input with a tiktoken encoding and print the token ids.")
public final class TokenizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--encoding",
            paramLabel = "NAME",
            defaultValue = Tiktoken.CL100K_BASE,
            description = "r50k_base, p50k_base, cl100k_base or o200k_base (default: ${DEFAULT-VALUE})")
    String encoding;

    @Option(names = "--count", description = "print only the number of tokens")
    boolean count;

    @Option(names = "--pieces", description = "print one token per line: its id and the text it stands for")
    boolean pieces;

    /** Where the text comes from; standard input unless a test sets another stream. */
    InputStream in = System.in;

    @Override
    public Integer call() throws IOException {
        if (!Tiktoken.names().contains(encoding)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--encoding must be one of " + Tiktoken.names() + ", got '" + encoding + "'");
        }
        if (count && pieces) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count and --pieces exclude each other");
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Tiktoken enc = Tiktoken.load(encoding);
        int[] ids = enc.encode(text);
        PrintWriter out = spec.commandLine().getOut();
        if (count) {
            out.println(ids.length);
        } else if (pieces) {
            for (int id : ids) {
                out.println(id + "\t" + quote(enc.decodeBytes(new int[] {id})));
            }
        } else {
            StringJoiner j = new StringJoiner(" ");
            for (int id : ids) {
                j.add(Integer.toString(id));
            }
            out.println(j);
        }
        out.flush();
        return 0;
    }

    /**
     * A token's bytes as a quoted, escaped string: whole UTF-8 characters as themselves (control characters, quotes
     * and backslashes escaped), stray bytes of a split character as {@code \xNN}.
     *
     * @param bytes the token's bytes
     * @return the quoted text
     */
    static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            int len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
            String ch = len > 0 && i + len <= bytes.length ? strictUtf8(bytes, i, len) : null;
            if (ch == null) {
                sb.append(String.format("\\x%02x", b));
                i++;
                continue;
            }
            i += len;
            switch (ch) {
                case "\n":
                    sb.append("\\n");
                    break;
                case "\r":
                    sb.append("\\r");
                    break;
                case "\t":
                    sb.append("\\t");
                    break;
                case "\"":
                    sb.append("\\\"");
                    break;
                case "\\":
                    sb.append("\\\\");
                    break;
                default:
                    if (ch.length() == 1 && Character.isISOControl(ch.charAt(0))) {
                        sb.append(String.format("\\u%04x", (int) ch.charAt(0)));
                    } else {
                        sb.append(ch);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** The character the bytes encode, or null when they are not exactly one valid UTF-8 character. */
    private static String strictUtf8(byte[] bytes, int off, int len) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes, off, len))
                    .toString();
            return s.codePointCount(0, s.length()) == 1 ? s : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
