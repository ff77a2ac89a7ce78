package io.softgate.lb.maglev;

/**
 * Prints the digest of {@link MaglevTableBuilderTest#referenceTable()} so a test can compare a
 * table built in a separate JVM process with one built in its own.
 *
 * <p>Threading: a main method for one forked process.
 */
public final class MaglevDigestPrinter {
    private MaglevDigestPrinter() {
    }

    public static void main(String[] args) {
        System.out.println(MaglevTableBuilderTest.referenceTable().digest());
    }
}
