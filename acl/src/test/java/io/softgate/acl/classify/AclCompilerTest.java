package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grouping by VPC, evaluation order, generations and errors of the compiler. */
class AclCompilerTest {
    private static final long TEN_0_0_1 = (0x0A00_0001L) << 32;
    private static final long TEN_0_0_2 = (0x0A00_0002L) << 32;

    @Test
    void shouldEvaluateByPriorityThenDeclarationOrder() {
        AclRule late = AclRule.builder("late", "a").priority(5).deny().build();
        AclRule firstOfTie = AclRule.builder("first-of-tie", "a").priority(1).permit().build();
        AclRule secondOfTie = AclRule.builder("second-of-tie", "a").priority(1).deny().build();
        AclTables tables = AclCompiler.compile(AclConfig.of(List.of(late, firstOfTie, secondOfTie)), Map.of("a", 0));
        VrfClassifier classifier = tables.classifier(0);
        assertEquals(List.of(firstOfTie, secondOfTie, late), classifier.orderedRules());
        int rank = classifier.classify(false, TEN_0_0_1, 0, TEN_0_0_2, 0, 6, 1, 2, -1, false);
        assertEquals(firstOfTie, classifier.rule(rank));
    }

    @Test
    void shouldPutEachVpcAtItsVrfIndexAndLeaveOthersUnfiltered() {
        AclConfig config = new AclConfig(List.of(AclRule.builder("r", "a").deny().build()),
            Map.of("b", AclAction.DENY));
        AclTables tables = AclCompiler.compile(config, Map.of("a", 3, "b", 1, "c", 0));
        assertEquals("a", tables.classifier(3).vpc());
        assertEquals(AclAction.DENY, tables.classifier(1).defaultAction());
        assertEquals(0, tables.classifier(1).ruleCount());
        assertNull(tables.classifier(0));
        assertNull(tables.classifier(7));
        assertEquals("a/r", tables.counterName(tables.classifier(3).ruleId(0)));
        assertEquals("b/default", tables.counterName(tables.defaultCounterId(1)));
    }

    @Test
    void shouldRejectARuleOfAnUnknownVpc() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> AclCompiler.compile(AclConfig.of(List.of(AclRule.builder("r", "ghost").build())), Map.of("a", 0)));
        assertEquals("rule r: unknown vpc ghost", error.getMessage());
    }

    @Test
    void shouldGiveEveryCompileANewGeneration() {
        AclConfig config = AclConfig.of(List.of(AclRule.builder("r", "a").build()));
        assertNotEquals(AclCompiler.compile(config, Map.of("a", 0)).generation(),
            AclCompiler.compile(config, Map.of("a", 0)).generation());
    }
}
