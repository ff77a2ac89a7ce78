package io.softgate.service.architecture;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads just enough of a class file (JVMS §4) to list the types it links: every class name and
 * every type inside a field, method or method-type descriptor of its constant pool, plus the
 * names of its {@code synchronized} methods. String literals are ignored, so a constant that
 * merely spells {@code "io/netty"} is not a reference.
 *
 * <p>Threading: stateless; each call parses its own bytes.
 */
final class ClassFileReader {
    private static final int MAGIC = 0xCAFEBABE;
    private static final int ACC_SYNCHRONIZED = 0x0020;

    // Constant pool tags, JVMS §4.4 Table 4.4-B.
    private static final int UTF8 = 1;
    private static final int INTEGER = 3;
    private static final int FLOAT = 4;
    private static final int LONG = 5;
    private static final int DOUBLE = 6;
    private static final int CLASS = 7;
    private static final int STRING = 8;
    private static final int FIELD_REF = 9;
    private static final int METHOD_REF = 10;
    private static final int INTERFACE_METHOD_REF = 11;
    private static final int NAME_AND_TYPE = 12;
    private static final int METHOD_HANDLE = 15;
    private static final int METHOD_TYPE = 16;
    private static final int DYNAMIC = 17;
    private static final int INVOKE_DYNAMIC = 18;
    private static final int MODULE = 19;
    private static final int PACKAGE = 20;

    private ClassFileReader() {
    }

    /** What one class file links to. */
    record LinkedTypes(String className, Set<String> referencedTypes, List<String> synchronizedMethods) {
    }

    static LinkedTypes read(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] tag = new int[count];
        int[] classNameIndex = new int[count];
        List<Integer> descriptorIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            tag[i] = in.readUnsignedByte();
            switch (tag[i]) {
                case UTF8 -> utf8[i] = in.readUTF();
                case CLASS -> classNameIndex[i] = in.readUnsignedShort();
                case STRING, MODULE, PACKAGE -> in.readUnsignedShort();
                case METHOD_TYPE -> descriptorIndexes.add(in.readUnsignedShort());
                case NAME_AND_TYPE -> {
                    in.readUnsignedShort();
                    descriptorIndexes.add(in.readUnsignedShort());
                }
                case INTEGER, FLOAT, FIELD_REF, METHOD_REF, INTERFACE_METHOD_REF, DYNAMIC, INVOKE_DYNAMIC -> in.readInt();
                case METHOD_HANDLE -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case LONG, DOUBLE -> {
                    in.readLong();
                    i++; // JVMS §4.4.5: 8-byte constants take two pool entries
                }
                default -> throw new IOException("unknown constant pool tag " + tag[i] + " at " + i);
            }
        }
        Set<String> types = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (tag[i] == CLASS) {
                addClassName(utf8[classNameIndex[i]], types);
            }
        }
        for (int index : descriptorIndexes) {
            addDescriptorTypes(utf8[index], types);
        }

        in.readUnsignedShort(); // access flags
        String className = utf8[classNameIndex[in.readUnsignedShort()]];
        in.readUnsignedShort(); // super class
        skip(in, 2 * in.readUnsignedShort()); // interfaces
        int fieldCount = in.readUnsignedShort();
        for (int f = 0; f < fieldCount; f++) {
            in.readUnsignedShort();
            in.readUnsignedShort();
            addDescriptorTypes(utf8[in.readUnsignedShort()], types);
            skipAttributes(in);
        }
        List<String> synchronizedMethods = new ArrayList<>();
        int methodCount = in.readUnsignedShort();
        for (int m = 0; m < methodCount; m++) {
            int access = in.readUnsignedShort();
            String name = utf8[in.readUnsignedShort()];
            addDescriptorTypes(utf8[in.readUnsignedShort()], types);
            if ((access & ACC_SYNCHRONIZED) != 0) {
                synchronizedMethods.add(name);
            }
            skipAttributes(in);
        }
        types.remove(className);
        return new LinkedTypes(className, types, synchronizedMethods);
    }

    /** A CONSTANT_Class names either a class ({@code a/b/C}) or an array descriptor ({@code [La/b/C;}). */
    private static void addClassName(String name, Set<String> types) {
        if (name.startsWith("[")) {
            addDescriptorTypes(name, types);
        } else {
            types.add(name);
        }
    }

    /** Adds every {@code Lname;} inside a field or method descriptor (JVMS §4.3). */
    private static void addDescriptorTypes(String descriptor, Set<String> types) {
        int i = 0;
        while ((i = descriptor.indexOf('L', i)) >= 0) {
            int end = descriptor.indexOf(';', i);
            if (end < 0) {
                return;
            }
            types.add(descriptor.substring(i + 1, end));
            i = end + 1;
        }
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            in.readUnsignedShort();
            skip(in, in.readInt());
        }
    }

    private static void skip(DataInputStream in, int bytes) throws IOException {
        if (in.skipBytes(bytes) != bytes) {
            throw new IOException("truncated class file");
        }
    }
}
