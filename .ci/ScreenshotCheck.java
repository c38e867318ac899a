import java.awt.image.BufferedImage;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Fails when a screenshot is blank: a page that did not render is one flat colour (white, or black in some failure
 * modes). Run as a single-file program: {@code java .ci/ScreenshotCheck.java shot.png}. It requires a luminance
 * standard deviation of at least 8 (of 255) and at least 32 distinct colours, which a rendered page with text and a
 * chart exceeds by far.
 */
public class ScreenshotCheck {
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java ScreenshotCheck.java screenshot.png");
            System.exit(2);
        }
        BufferedImage img = ImageIO.read(new File(args[0]));
        if (img == null) {
            System.out.println("FAIL: " + args[0] + " is not an image ImageIO can read");
            System.exit(1);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        double sum = 0;
        double sumSq = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                double lum = 0.2126 * (rgb >> 16) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff);
                sum += lum;
                sumSq += lum * lum;
                if (colours.size() < 100_000) {
                    colours.add(rgb);
                }
            }
        }
        double n = (double) w * h;
        double mean = sum / n;
        double sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
        String summary = String.format(
                "screenshot %dx%d: mean luminance %.1f, standard deviation %.1f, %d distinct colours",
                w, h, mean, sd, colours.size());
        if (sd < 8 || colours.size() < 32) {
            System.out.println("FAIL: blank " + summary);
            System.exit(1);
        }
        System.out.println(summary);
    }
}
