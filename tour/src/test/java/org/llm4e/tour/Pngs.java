package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/** Checks that chapters write real pictures, and runs a chapter into a folder capturing its text. */
final class Pngs {
    private Pngs() {}

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Every file is a PNG (signature), decodes, is at least 600×400 and is not one flat colour. */
    static void assertRealPngs(List<Path> files, String... expectedNames) throws Exception {
        List<String> names = files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertEquals(Arrays.asList(expectedNames), names);
        for (Path png : files) {
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(SIGNATURE, Arrays.copyOf(bytes, 8), png + " is not a PNG");
            assertTrue(bytes.length > 10_000, png + " is only " + bytes.length + " bytes");
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() >= 600 && image.getHeight() >= 400, png + " is too small");
            int first = image.getRGB(0, 0);
            long differing = 0;
            for (int y = 0; y < image.getHeight(); y += 4) {
                for (int x = 0; x < image.getWidth(); x += 4) {
                    if (image.getRGB(x, y) != first) {
                        differing++;
                    }
                }
            }
            assertTrue(differing > 500, png + " is nearly blank: " + differing + " sampled pixels differ");
        }
    }

    /** Runs a chapter into {@code dir} and returns what it printed, runs of spaces (table padding) collapsed to one. */
    static String run(Chapter chapter, TourContext[] context, Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        StringWriter text = new StringWriter();
        context[0] = new TourContext(dir, new PrintWriter(text), null);
        chapter.run(context[0]);
        return text.toString().replaceAll(" +", " ");
    }
}
