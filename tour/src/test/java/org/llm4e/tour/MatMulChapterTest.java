package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.core.MatMulLadder.Rung;
import org.llm4e.core.Tensor;

class MatMulChapterTest {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void runPrintsEveryRungAtEverySizeAndWritesRealPngs(@TempDir Path dir) throws Exception {
        StringWriter text = new StringWriter();
        TourContext context = new TourContext(dir, new PrintWriter(text), null);
        new MatMulChapter(new int[] {16, 33}, 0.0).run(context);

        String out = text.toString();
        for (Rung rung : Rung.values()) {
            String name = rung.name().toLowerCase(java.util.Locale.ROOT);
            long rows = out.lines().filter(l -> l.contains(" " + name + " ")).count();
            assertEquals(2, rows, name + " should have one row per size in:\n" + out);
        }
        assertTrue(out.contains("compute roof"), out);
        assertEquals(2, context.written().size());
        for (Path png : context.written()) {
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), png + " is not a PNG");
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() >= 800 && image.getHeight() >= 400, png + " is too small");
        }
    }

    @Test
    void checkAcceptsEveryRungAndRejectsAWrongProduct() {
        int n = 37;
        float[] a = Tensor.randn(5, n, n).data();
        float[] b = Tensor.randn(6, n, n).data();
        double[][] ref = MatMulChapter.reference(n, a, b);
        float[] c = new float[n * n];
        for (Rung rung : Rung.values()) {
            org.llm4e.core.MatMulLadder.multiply(rung, n, n, n, a, b, c);
            MatMulChapter.check(rung, n, c, ref);
        }
        c[n + 3] += 0.5f;
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> MatMulChapter.check(Rung.NAIVE_IJK, n, c, ref));
        assertTrue(e.getMessage().contains("C[1][3]"), e.getMessage());
    }

    @Test
    void referenceIsTheDefinitionOnASmallCase() {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
        double[][] ref = MatMulChapter.reference(2, new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8});
        assertArrayEquals(new double[] {19, 22, 43, 50}, ref[0]);
        assertArrayEquals(new double[] {19, 22, 43, 50}, ref[1]);
        double[][] signed = MatMulChapter.reference(1, new float[] {-2}, new float[] {3});
        assertArrayEquals(new double[] {-6}, signed[0]);
        assertArrayEquals(new double[] {6}, signed[1]);
    }

    @Test
    void sizesMustBePositiveAndAscending() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new MatMulChapter(new int[] {64, 32}, 0.1));
        assertTrue(e.getMessage().contains("[64, 32]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MatMulChapter(new int[] {0}, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new MatMulChapter(new int[0], 0.1));
    }
}
