package io.softgate.service.state;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The build step that pre-generates Chronicle Map's header class: it must be on the service's class
 * path (target/classes, later the jar), where chronicle-values looks before running javac.
 */
class ChronicleClassGeneratorTest {
    @Test
    void shouldPutTheNativeImplementationOfEveryValueInterfaceOnTheClassPath() throws Exception {
        for (String name : ChronicleClassGenerator.VALUE_INTERFACES) {
            Class<?> generated = Class.forName(name + ChronicleClassGenerator.NATIVE_SUFFIX, false,
                ChronicleClassGeneratorTest.class.getClassLoader());
            assertTrue(Class.forName(name).isAssignableFrom(generated), generated + " implements " + name);
        }
    }
}
