package io.softgate.service.architecture;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds the main (non-test) class files of the project's modules on the test class path, whether
 * the reactor hands them over as {@code target/classes} directories or as jars.
 *
 * <p>Threading: stateless.
 */
final class CompiledClasses {
    private CompiledClasses() {
    }

    /** A class file: its binary name with slashes ({@code io/softgate/core/Foo}) and its bytes. */
    record ClassFile(String internalName, byte[] bytes) {
    }

    /** Every class file under {@code internalPrefix} (e.g. {@code io/softgate/}) in main class-path entries. */
    static List<ClassFile> load(String internalPrefix) {
        List<ClassFile> found = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (isTestOutput(path)) {
                continue;
            }
            try {
                if (Files.isDirectory(path)) {
                    loadDirectory(path, internalPrefix, found);
                } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                    loadJar(path, internalPrefix, found);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read class-path entry " + path, e);
            }
        }
        return found;
    }

    private static boolean isTestOutput(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return name.equals("test-classes") || name.endsWith("-tests.jar");
    }

    private static void loadDirectory(Path root, String prefix, List<ClassFile> found) throws IOException {
        Path start = root.resolve(prefix);
        if (!Files.isDirectory(start)) {
            return;
        }
        List<Path> files;
        try (var walk = Files.walk(start)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace(File.separatorChar, '/');
            add(relative, Files.readAllBytes(file), found);
        }
    }

    private static void loadJar(Path jar, String prefix, List<ClassFile> found) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(prefix) && name.endsWith(".class")) {
                    try (InputStream in = file.getInputStream(entry)) {
                        add(name, in.readAllBytes(), found);
                    }
                }
            }
        }
    }

    private static void add(String fileName, byte[] bytes, List<ClassFile> found) {
        String internalName = fileName.substring(0, fileName.length() - ".class".length());
        if (!internalName.endsWith("module-info") && !internalName.endsWith("package-info")) {
            found.add(new ClassFile(internalName, bytes));
        }
    }
}
