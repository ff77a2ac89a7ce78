package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compiled classifier must return exactly the rule a linear first-match scan returns. */
class ClassifierMatchesLinearScanTest {
    private static final long SEED = 0x5EED_AC1L;

    @Test
    void shouldAgreeWithLinearScanOnEveryRandomCase() {
        RandomAcl random = new RandomAcl(SEED);
        int cases = 0;
        int matched = 0;
        int[] ruleCounts = {1, 2, 5, 10, 30, 100, 300, 1000};
        for (int set = 0; set < 400; set++) {
            int ruleCount = ruleCounts[set % ruleCounts.length];
            List<AclRule> rules = random.rules(ruleCount, "vpc");
            VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.DENY);
            LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
            for (int p = 0; p < 260; p++) {
                long[] packet = random.packet();
                AclRule expected = reference.firstMatch(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                    (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                int rank = classifier.classify(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                    (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                AclRule actual = rank < 0 ? null : classifier.rule(rank);
                if (expected != actual) {
                    fail("set " + set + " packet " + java.util.Arrays.toString(packet) + ": expected "
                        + expected + " but classifier chose " + actual);
                }
                cases++;
                if (expected != null) {
                    matched++;
                }
            }
        }
        assertTrue(cases >= 100_000, "cases: " + cases);
        // The generator must exercise both outcomes, or agreement would prove little.
        assertTrue(matched > cases / 5 && matched < cases - cases / 5, "matched " + matched + " of " + cases);
    }

    @Test
    void shouldAgreeWithLinearScanOnALargeRuleSet() {
        RandomAcl random = new RandomAcl(SEED + 1);
        List<AclRule> rules = random.rules(20_000, "vpc");
        VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.PERMIT);
        LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
        for (int p = 0; p < 2_000; p++) {
            long[] packet = random.packet();
            AclRule expected = reference.firstMatch(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
            int rank = classifier.classify(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
            assertEquals(expected, rank < 0 ? null : classifier.rule(rank), "packet " + p);
        }
    }
}
