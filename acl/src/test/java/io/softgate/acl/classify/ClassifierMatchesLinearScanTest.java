package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled classifier must return exactly the rule a linear first-match scan returns, both
 * one packet at a time and batch-wise (mixed families in one batch).
 */
class ClassifierMatchesLinearScanTest {
    private static final long SEED = 0x5EED_AC1L;
    private static final int BATCH = 64;

    @Test
    void shouldAgreeWithLinearScanOnEveryRandomCase() {
        int[] counts = agreeOnRandomSets(new RandomAcl(SEED), 400, 260);
        int cases = counts[0];
        int matched = counts[1];
        assertTrue(cases >= 100_000, "cases: " + cases);
        // The generator must exercise both outcomes, or agreement would prove little.
        assertTrue(matched > cases / 5 && matched < cases - cases / 5, "matched " + matched + " of " + cases);
        assertTrue(counts[2] > 25_000, "IPv6 cases: " + counts[2]);
    }

    @Test
    void shouldAgreeWithLinearScanOnEveryRandomIpv6Case() {
        RandomAcl random = new RandomAcl(SEED + 6);
        random.ipv6Share = 10;
        int[] counts = agreeOnRandomSets(random, 400, 260);
        assertTrue(counts[2] >= 100_000, "IPv6 cases: " + counts[2]);
        assertTrue(counts[3] > counts[2] / 5 && counts[3] < counts[2] - counts[2] / 5,
            "matched " + counts[3] + " of " + counts[2] + " IPv6 cases");
    }

    /** Returns {cases, matched, IPv6 cases, IPv6 matched}; fails on the first disagreement. */
    private static int[] agreeOnRandomSets(RandomAcl random, int sets, int packetsPerSet) {
        int[] counts = new int[4];
        int[] ruleCounts = {1, 2, 5, 10, 30, 100, 300, 1000};
        ClassifyBatch batch = new ClassifyBatch(BATCH);
        AclRule[] expectedInBatch = new AclRule[BATCH];
        long[][] packetsInBatch = new long[BATCH][];
        for (int set = 0; set < sets; set++) {
            int ruleCount = ruleCounts[set % ruleCounts.length];
            List<AclRule> rules = random.rules(ruleCount, "vpc");
            VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.DENY);
            LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
            batch.clear();
            for (int p = 0; p < packetsPerSet; p++) {
                long[] packet = random.packet();
                boolean ipv6 = packet[0] == 1;
                AclRule expected = reference.firstMatch(ipv6, packet[1], packet[2], packet[3], packet[4],
                    (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                int rank = classifier.classify(ipv6, packet[1], packet[2], packet[3], packet[4],
                    (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                AclRule actual = rank < 0 ? null : classifier.rule(rank);
                if (expected != actual) {
                    fail("set " + set + " packet " + Arrays.toString(packet) + ": expected " + expected
                        + " but classifier chose " + actual);
                }
                int at = batch.add(ipv6, packet[1], packet[2], packet[3], packet[4], (int) packet[5],
                    (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                expectedInBatch[at] = expected;
                packetsInBatch[at] = packet;
                if (batch.isFull() || p == packetsPerSet - 1) {
                    checkBatch(classifier, batch, expectedInBatch, packetsInBatch, set);
                }
                counts[0]++;
                counts[1] += expected != null ? 1 : 0;
                counts[2] += ipv6 ? 1 : 0;
                counts[3] += ipv6 && expected != null ? 1 : 0;
            }
        }
        return counts;
    }

    private static void checkBatch(VrfClassifier classifier, ClassifyBatch batch, AclRule[] expected,
                                   long[][] packets, int set) {
        classifier.classify(batch);
        for (int i = 0; i < batch.size(); i++) {
            int rank = batch.rank(i);
            AclRule actual = rank < 0 ? null : classifier.rule(rank);
            if (expected[i] != actual) {
                fail("batch of set " + set + " packet " + Arrays.toString(packets[i]) + ": expected " + expected[i]
                    + " but the batch classifier chose " + actual);
            }
        }
        batch.clear();
    }

    @Test
    void shouldAgreeWithLinearScanOnALargeRuleSet() {
        RandomAcl random = new RandomAcl(SEED + 1);
        List<AclRule> rules = random.rules(20_000, "vpc");
        VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.PERMIT);
        LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
        ClassifyBatch batch = new ClassifyBatch(BATCH);
        AclRule[] expectedInBatch = new AclRule[BATCH];
        for (int p = 0; p < 2_048; p++) {
            long[] packet = random.packet();
            AclRule expected = reference.firstMatch(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
            int rank = classifier.classify(packet[0] == 1, packet[1], packet[2], packet[3], packet[4],
                (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
            assertEquals(expected, rank < 0 ? null : classifier.rule(rank), "packet " + p);
            expectedInBatch[batch.add(packet[0] == 1, packet[1], packet[2], packet[3], packet[4], (int) packet[5],
                (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1)] = expected;
            if (batch.isFull()) {
                classifier.classify(batch);
                for (int i = 0; i < batch.size(); i++) {
                    int batchRank = batch.rank(i);
                    assertEquals(expectedInBatch[i], batchRank < 0 ? null : classifier.rule(batchRank), "batch packet " + i);
                }
                batch.clear();
            }
        }
    }
}
