package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;

/** Save → load → continue equals an uninterrupted run bit for bit, through bytes; bad checkpoints say what is wrong. */
class CheckpointsTest {
    private static final int STEPS = 12;

    /** Two groups (the second without weight decay where the optimizer has it) over three parameters. */
    private static Optimizer build(String name, List<Parameter> ps) {
        Map<String, Object> hp = name.equals("asgd") ? Map.of("t0", 3.0) : Map.of();
        Map<String, Object> override = Optimizers.defaults(name).containsKey("weight_decay")
                ? Map.of("weight_decay", 0.0, "lr", 0.002)
                : Map.of("lr", 0.002);
        return Optimizers.createGroups(
                name, List.of(ParamGroup.of(ps.subList(0, 2)), ParamGroup.of(ps.subList(2, 3), override)), hp);
    }

    private static List<Parameter> params(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] sizes = {5, 1, 40};
        String[] names = {"w", "b", "ln.weight"};
        Parameter[] ps = new Parameter[3];
        for (int k = 0; k < 3; k++) {
            float[] d = new float[sizes[k]];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
            }
            ps[k] = new Parameter(names[k], d);
        }
        return List.of(ps);
    }

    private static void fillGrads(List<Parameter> ps, long seed, int step) {
        SplittableRandom r = new SplittableRandom(seed * 1000 + step);
        for (Parameter p : ps) {
            for (int i = 0; i < p.size(); i++) {
                p.grad()[i] = (float) r.nextGaussian();
            }
        }
    }

    private static byte[] save(Optimizer opt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Checkpoints.write(out, opt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Provide
    Arbitrary<String> optimizerNames() {
        return Arbitraries.of(Optimizers.names());
    }

    @Property(tries = 60)
    void saveLoadContinueEqualsAnUninterruptedRun(
            @ForAll("optimizerNames") String name, @ForAll @IntRange(min = 0, max = STEPS) int split, @ForAll long seed)
            throws IOException {
        List<Parameter> whole = params(seed);
        Optimizer a = build(name, whole);
        byte[] bytes = null;
        for (int t = 0; t < STEPS; t++) {
            if (t == split) {
                bytes = save(a);
            }
            fillGrads(whole, seed, t);
            a.step();
        }
        if (split == STEPS) {
            bytes = save(a);
        }
        // A fresh optimizer with other lrs and other parameter values, then the checkpoint.
        List<Parameter> resumed = params(seed + 1);
        Optimizer b = build(name, resumed);
        b.setLr(0.123);
        Checkpoints.read(new ByteArrayInputStream(bytes), b);
        for (int t = split; t < STEPS; t++) {
            fillGrads(resumed, seed, t);
            b.step();
        }
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(whole.get(k).data(), resumed.get(k).data(), name + " split at " + split);
        }
        assertEquals(
                a.paramGroups().get(1).hyperparameters().get("lr"),
                b.paramGroups().get(1).hyperparameters().get("lr"));
        // Bytes are a function of the state: writing the resumed optimizer gives the same bytes as the original.
        assertArrayEquals(save(a), save(b), name + ": checkpoint bytes");
    }

    private static Optimizer trained(String name) {
        List<Parameter> ps = params(1);
        Optimizer opt = build(name, ps);
        for (int t = 0; t < 3; t++) {
            fillGrads(ps, 1, t);
            opt.step();
        }
        return opt;
    }

    @Test
    void wrongOptimizerSaysWhich() {
        byte[] bytes = save(trained("adamw"));
        Optimizer adam = build("adam", params(1));
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> Checkpoints.read(new ByteArrayInputStream(bytes), adam));
        assertEquals("the checkpoint holds a AdamW state, this optimizer is Adam", ex.getMessage());
    }

    @Test
    void wrongParameterCountOrSizeSaysWhich() throws IOException {
        byte[] bytes = save(trained("sgd"));
        Optimizer fewer = SGD.builder().build(List.of(new Parameter("w", new float[5])));
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> Checkpoints.read(new ByteArrayInputStream(bytes), fewer));
        assertTrue(
                ex.getMessage().contains("2 parameter groups")
                        || ex.getMessage().contains("parameters"),
                ex.getMessage());
        List<Parameter> other = params(1);
        List<Parameter> resized = List.of(other.get(0), other.get(1), new Parameter("ln.weight", new float[41]));
        Optimizer sized = build("sgd", resized);
        ex = assertThrows(
                IllegalArgumentException.class, () -> Checkpoints.read(new ByteArrayInputStream(bytes), sized));
        assertTrue(
                ex.getMessage().contains("'ln.weight' with 40 elements")
                        && ex.getMessage().contains("41"),
                ex.getMessage());
        float[] before = resized.get(0).data().clone();
        assertArrayEquals(before, resized.get(0).data(), "unchanged after a rejected checkpoint");
    }

    @Test
    void truncatedCheckpointsNameTheOffset() {
        byte[] bytes = save(trained("adam"));
        for (int cut : new int[] {0, 4, 12, 20, bytes.length / 2, bytes.length - 1}) {
            byte[] part = Arrays.copyOf(bytes, cut);
            CheckpointFormatException ex = assertThrows(
                    CheckpointFormatException.class,
                    () -> Checkpoints.read(new ByteArrayInputStream(part), build("adam", params(1))));
            assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
            assertTrue(ex.offset() <= cut, "offset " + ex.offset() + " within the " + cut + " bytes read");
        }
    }

    @Test
    void corruptBytesAreDetected() {
        byte[] bytes = save(trained("rmsprop"));
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 20] ^= 0x10; // inside the last state buffer
        CheckpointFormatException ex = assertThrows(
                CheckpointFormatException.class,
                () -> Checkpoints.read(new ByteArrayInputStream(flipped), build("rmsprop", params(1))));
        assertTrue(ex.getMessage().contains("checksum"), ex.getMessage());
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        ex = assertThrows(
                CheckpointFormatException.class,
                () -> Checkpoints.read(new ByteArrayInputStream(magic), build("rmsprop", params(1))));
        assertEquals(0, ex.offset());
        byte[] version = bytes.clone();
        version[11] = 9;
        ex = assertThrows(
                CheckpointFormatException.class,
                () -> Checkpoints.read(new ByteArrayInputStream(version), build("rmsprop", params(1))));
        assertTrue(ex.getMessage().contains("version 9"), ex.getMessage());
    }

    @Test
    void theFormatStartsWithMagicVersionAndName() {
        byte[] bytes = save(trained("lion"));
        assertEquals("LLM4EOPT", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, bytes[11]);
        assertEquals(4, bytes[13], "length of \"Lion\"");
        assertEquals("Lion", new String(bytes, 14, 4, java.nio.charset.StandardCharsets.UTF_8));
    }
}
