package io.softgate.service.state;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Build-time step (packaging's pom runs it after compiling, before the jar is made): writes the
 * class files that Chronicle Map would otherwise generate and compile with javac at run time, into
 * the service's class output, so the packaged jar carries them.
 *
 * <p>Why: the first Chronicle Map of a JVM asks chronicle-values for the off-heap implementation of
 * {@code VanillaGlobalMutableState} (the map's header fields). chronicle-values first tries
 * {@code loadClass("...VanillaGlobalMutableState$$Native")} and only when that fails generates the
 * source and runs javac in-process (about 1,100 javac classes loaded; measured 3-6 s of a 6-9 s
 * restart on the shared 2-core box). With the class on the class path the store opens without
 * javac, so a restarted softgate forwards again seconds sooner (issue 9, hitless restart).
 *
 * <p>The source comes from chronicle-values' own generator for the chronicle-map version on the
 * class path, so it always matches the library; nothing generated is kept in the repository.
 *
 * <p>Threading: a command-line program; single-threaded.
 */
public final class ChronicleClassGenerator {
    /** The value interfaces Chronicle Map instantiates off-heap at open (one today). */
    static final List<String> VALUE_INTERFACES = List.of("net.openhft.chronicle.hash.VanillaGlobalMutableState");
    static final String NATIVE_SUFFIX = "$$Native";

    private ChronicleClassGenerator() {
    }

    /** {@code args[0]}: the class output directory (target/classes); {@code args[1]}: a scratch source directory. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ChronicleClassGenerator CLASS_OUTPUT_DIR SOURCE_SCRATCH_DIR");
            System.exit(2);
        }
        Path classes = Path.of(args[0]);
        Path sources = Path.of(args[1]);
        for (String name : VALUE_INTERFACES) {
            Path source = writeSource(Class.forName(name), sources);
            compile(source, classes);
            System.out.println("pre-generated " + name + NATIVE_SUFFIX + " into " + classes);
        }
    }

    /** Asks chronicle-values (package-private API, reached by reflection) for the native implementation's source. */
    private static Path writeSource(Class<?> valueInterface, Path sources) throws Exception {
        Class<?> model = Class.forName("net.openhft.chronicle.values.ValueModel");
        Object valueModel = model.getMethod("acquire", Class.class).invoke(null, valueInterface);
        Class<?> generators = Class.forName("net.openhft.chronicle.values.Generators");
        Method generate = generators.getDeclaredMethod("generateNativeClass", model, String.class);
        generate.setAccessible(true);
        String simpleName = valueInterface.getSimpleName() + NATIVE_SUFFIX;
        String code = (String) generate.invoke(null, valueModel, simpleName);
        Path file = sources.resolve(valueInterface.getPackageName().replace('.', '/')).resolve(simpleName + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, code, StandardCharsets.UTF_8);
        return file;
    }

    private static void compile(Path source, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (a JDK is needed to build)");
        }
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(source.toFile());
            List<String> options = List.of("--release", "17", "-nowarn", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString());
            if (!javac.getTask(null, files, null, options, null, units).call()) {
                throw new IllegalStateException("javac failed on " + source);
            }
        }
    }
}
