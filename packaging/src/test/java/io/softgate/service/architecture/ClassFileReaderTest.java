package io.softgate.service.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClassFileReaderTest {
    /** Links a stream type only through a method descriptor (no CONSTANT_Class for it). */
    static final class DescriptorOnlyFixture {
        static int count(String text) {
            return (int) text.chars().count();
        }
    }

    /** Links a lock through a field type and has a synchronized method. */
    static final class LockFixture {
        private final ReentrantLock lock = new ReentrantLock();
        private long total;

        synchronized void add(long amount) {
            total += amount;
        }

        ReentrantLock lock() {
            return lock;
        }
    }

    /** Mentions a forbidden package only inside a string literal. */
    static final class StringLiteralFixture {
        static String text() {
            return new StringBuilder("io/netty/").append("Channel").toString();
        }
    }

    private static ClassFileReader.LinkedTypes read(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return ClassFileReader.read(in.readAllBytes());
        }
    }

    @Test
    void shouldFindTypeLinkedOnlyThroughMethodDescriptor() throws IOException {
        assertTrue(read(DescriptorOnlyFixture.class).referencedTypes().contains(IntStream.class.getName().replace('.', '/')));
    }

    @Test
    void shouldFindFieldTypeAndSynchronizedMethod() throws IOException {
        ClassFileReader.LinkedTypes linked = read(LockFixture.class);
        assertTrue(linked.referencedTypes().contains("java/util/concurrent/locks/ReentrantLock"));
        assertEquals(List.of("add"), linked.synchronizedMethods());
    }

    @Test
    void shouldIgnoreForbiddenNameInsideStringLiteral() throws IOException {
        ClassFileReader.LinkedTypes linked = read(StringLiteralFixture.class);
        assertFalse(linked.referencedTypes().stream().anyMatch(DataPlaneDependencyTest::isForbidden),
            linked.referencedTypes().toString());
    }

    @Test
    void shouldNameTheClassItRead() throws IOException {
        assertEquals("io/softgate/service/architecture/ClassFileReaderTest$LockFixture", read(LockFixture.class).className());
    }

    @Test
    void shouldRejectBytesThatAreNotAClassFile() {
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ClassFileReader.read(new byte[] {1, 2, 3, 4}));
    }

    @Test
    void shouldTreatBgpControlApiHealthAndCompilerPackagesAsControlPlane() {
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/evpn/bgp/BgpSession"));
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/nat/control/NatCompiler"));
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/lb/health/TcpCheck"));
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/evpn/forwarding/compiler/ForwardingCompiler"));
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/nat/compile/NatCompiler"));
        assertNull(DataPlaneDependencyTest.dataPlaneRoot("io/softgate/service/SoftgateMain"));
    }

    @Test
    void shouldTreatStagePackagesAsDataPlane() {
        assertEquals("io/softgate/evpn/forwarding/", DataPlaneDependencyTest.dataPlaneRoot("io/softgate/evpn/forwarding/RouteStage"));
        assertEquals("io/softgate/core/", DataPlaneDependencyTest.dataPlaneRoot("io/softgate/core/pipeline/Worker"));
    }
}
