package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.llm4e.tokenizers.Tiktoken;
import picocli.CommandLine;

class TokenizeCommandTest {
    static final String TEXT = "hello world\nHéllo, 世界! 🦀 tokens:\t<|endoftext|> 12345\n";

    /** Runs {@code llm4e tokenize args} with {@code stdin}; returns exit code, standard output and error. */
    static String[] run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Llm4e());
        ((TokenizeCommand) cl.getSubcommands().get("tokenize").getCommand()).in =
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "tokenize";
        System.arraycopy(args, 0, full, 1, args.length);
        int rc = cl.execute(full);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base"})
    void idsDecodeBackToTheInput(String encoding) {
        String[] r = run(TEXT, "--encoding", encoding);
        assertEquals("0", r[0], r[2]);
        int[] ids = Arrays.stream(r[1].trim().split(" "))
                .mapToInt(Integer::parseInt)
                .toArray();
        Tiktoken enc = Tiktoken.load(encoding);
        assertArrayEquals(enc.encode(TEXT), ids);
        assertEquals(TEXT, enc.decode(ids));

        String[] count = run(TEXT, "--encoding", encoding, "--count");
        assertEquals(String.valueOf(ids.length), count[1].trim());

        // the pieces, unquoted and joined, are the input's bytes again
        String[] pieces = run(TEXT, "--encoding", encoding, "--pieces");
        assertEquals("0", pieces[0], pieces[2]);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        String[] lines = pieces[1].split("\n");
        assertEquals(ids.length, lines.length);
        for (int i = 0; i < lines.length; i++) {
            String[] cols = lines[i].split("\t", 2);
            assertEquals(ids[i], Integer.parseInt(cols[0]));
            byte[] b = unquote(cols[1]);
            assertArrayEquals(enc.decodeBytes(new int[] {ids[i]}), b, lines[i]);
            joined.writeBytes(b);
        }
        assertEquals(TEXT, joined.toString(StandardCharsets.UTF_8));
    }

    @Test
    void defaultEncodingIsCl100kAndSpecialTokenTextIsOrdinary() {
        String[] r = run("<|endoftext|>");
        assertEquals("0", r[0], r[2]);
        int[] ids = Arrays.stream(r[1].trim().split(" "))
                .mapToInt(Integer::parseInt)
                .toArray();
        assertArrayEquals(Tiktoken.load("cl100k_base").encodeOrdinary("<|endoftext|>"), ids);
        assertTrue(ids.length > 1, "special-token text must not become the special token");
    }

    @Test
    void emptyInputHasNoTokens() {
        assertEquals("0", run("", "--count")[1].trim());
        assertEquals("", run("")[1].trim());
    }

    @Test
    void unknownEncodingAndConflictingOptionsAreUsageErrors() {
        String[] r = run("x", "--encoding", "gpt2");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--encoding must be one of") && r[2].contains("'gpt2'"), r[2]);
        String[] both = run("x", "--count", "--pieces");
        assertEquals("2", both[0]);
        assertTrue(both[2].contains("exclude each other"), both[2]);
    }

    @Test
    void quoteEscapesControlsAndStrayBytes() {
        assertEquals("\" world\"", TokenizeCommand.quote(" world".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"\\n\\t\\\"\\\\\"", TokenizeCommand.quote("\n\t\"\\".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"\\xe4\\xb8\"", TokenizeCommand.quote(new byte[] {(byte) 0xe4, (byte) 0xb8}));
        assertEquals("\"世\"", TokenizeCommand.quote("世".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"\\u0001\"", TokenizeCommand.quote(new byte[] {1}));
    }

    @Test
    void tourTrainsTheTokenizersChapterOnTheCorpusOptionAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path corpus = TokenizersChapterTest.smallCorpus(dir);
        String[] r = CommandsTest.run(
                "tour",
                "tokenizers",
                "--corpus",
                corpus.toString(),
                "--out",
                dir.resolve("out").toString(),
                "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("Corpus: " + corpus), r[1]);
        String html = Files.readString(dir.resolve("out/index.html"));
        assertTrue(html.contains("<section id=\"tokenizers\">"), html);
        assertTrue(html.contains("<img src=\"tokenizers-compression.png\""), html);
    }

    @Test
    void missingCorpusIsAUsageError(@TempDir Path dir) {
        String[] r = CommandsTest.run(
                "tour", "tokenizers", "--corpus", dir.resolve("nope.txt").toString(), "--out", dir.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--corpus must be a readable text file") && r[2].contains("nope.txt"), r[2]);
    }

    /** Reverses {@link TokenizeCommand#quote}. */
    static byte[] unquote(String q) {
        assertTrue(q.startsWith("\"") && q.endsWith("\""), q);
        String s = q.substring(1, q.length() - 1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c != '\\') {
                int cp = s.codePointAt(i);
                b.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case 'n' -> b.write('\n');
                case 'r' -> b.write('\r');
                case 't' -> b.write('\t');
                case '"' -> b.write('"');
                case '\\' -> b.write('\\');
                case 'x' -> {
                    b.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                    i += 2;
                }
                case 'u' -> {
                    b.write(Integer.parseInt(s.substring(i + 2, i + 6), 16));
                    i += 4;
                }
                default -> throw new AssertionError("bad escape in " + q);
            }
            i += 2;
        }
        return b.toByteArray();
    }
}
