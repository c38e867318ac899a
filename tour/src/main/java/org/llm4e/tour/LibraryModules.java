package org.llm4e.tour;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Which llm4e library modules are on the class path, and how much of each is there.
 *
 * <p>Every module jar carries {@code META-INF/maven/org.llm4e/llm4e-<module>/pom.properties} (kept by the shaded
 * jar), which says the module is present; a module's package is then probed for its well-known entry class to tell a
 * built module from a skeleton.
 */
public final class LibraryModules {
    private LibraryModules() {}

    /**
     * A module of the library.
     *
     * @param folder the module's folder and artifact suffix ({@code positional-encoding})
     * @param entryClass a public class the module's issue defines, probed to see whether it is implemented
     * @param present whether the module's jar is on the class path
     * @param version the module's version from its pom.properties, or null when absent
     * @param implemented whether {@code entryClass} loads
     */
    public record Module(String folder, String entryClass, boolean present, String version, boolean implemented) {}

    private static final String[][] KNOWN = {
        {"core", "org.llm4e.core.Tensor"},
        {"activations", "org.llm4e.activations.Activations"},
        {"optimizers", "org.llm4e.optimizers.Optimizers"},
        {"positional-encoding", "org.llm4e.positional.RotaryEmbedding"},
        {"attention", "org.llm4e.attention.ScaledDotProductAttention"},
        {"tokenizers", "org.llm4e.tokenizers.Tiktoken"},
        {"tokenizers-hf", "org.llm4e.tokenizers.hf.HfTokenizer"},
        {"quantization", "org.llm4e.quantization.Q8_0"},
    };

    /**
     * Probes every known module.
     *
     * @return one entry per module of the project's design, in layout order
     */
    public static List<Module> probe() {
        ClassLoader loader = LibraryModules.class.getClassLoader();
        List<Module> modules = new ArrayList<>();
        for (String[] m : KNOWN) {
            String version = null;
            String resource = "META-INF/maven/org.llm4e/llm4e-" + m[0] + "/pom.properties";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", "?");
                }
            } catch (IOException e) {
                version = null;
            }
            boolean implemented;
            try {
                Class.forName(m[1], false, loader);
                implemented = true;
            } catch (ClassNotFoundException | LinkageError e) {
                implemented = false;
            }
            // run from a build folder there is no pom.properties, but the classes prove the module is there
            boolean present = version != null || implemented;
            modules.add(new Module(m[0], m[1], present, version, implemented));
        }
        return modules;
    }
}
