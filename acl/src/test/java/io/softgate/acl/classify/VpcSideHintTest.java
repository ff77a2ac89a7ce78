package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ClassifyBatch#vpcAddresses} only chooses which index's lists are prefetched: on a rule
 * set large enough for its lists to be prefetched, every hint gives each packet the rank the
 * single-packet lookup gives it.
 */
class VpcSideHintTest {
    private static final int BATCH = 64;
    private static final int PACKETS = 4_096;

    @Test
    void shouldClassifyAlikeWhicheverSideIsTheVpcs() {
        SplittableRandom random = new SplittableRandom(0x51DE_4A11L);
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            // Destination index: services of VMs in 10.0.0.0/10; source index: blocked sources.
            rules.add(AclRule.builder("service-" + i, "vpc").priority(2 * i).protocol(AclProtocol.TCP)
                .dstPrefix(IpPrefix.ipv4(0x0A00_0000 | random.nextInt(1 << 22), 32))
                .dstPort(1 + random.nextInt(1024)).permit().build());
            rules.add(AclRule.builder("blocked-" + i, "vpc").priority(2 * i + 1)
                .srcPrefix(IpPrefix.ipv4(random.nextInt() & -256, 24 + random.nextInt(9))).deny().build());
        }
        VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.DENY);
        List<AclRule> ordered = new ArrayList<>(rules);
        ordered.sort(AclCompiler.EVALUATION_ORDER);
        assertTrue(new PrefixClassifier(IpPrefix.IPV4, ordered).touchesBothIndexes(),
            "both IPv4 indexes have lists large enough to be touched");
        long[][] packets = new long[PACKETS][];
        int[] expected = new int[PACKETS];
        int matched = 0;
        for (int p = 0; p < PACKETS; p++) {
            AclRule aimed = rules.get(random.nextInt(rules.size()));
            long src = random.nextBoolean() && aimed.srcPrefix() != null ? aimed.srcPrefix().high()
                : (random.nextLong() & 0xFFFF_FFFF_0000_0000L);
            long dst = random.nextBoolean() && aimed.dstPrefix() != null ? aimed.dstPrefix().high()
                : ((0x0A00_0000L | random.nextInt(1 << 22)) << 32);
            int dstPort = aimed.dstPortFrom() == aimed.dstPortTo() ? aimed.dstPortFrom() : random.nextInt(1024);
            packets[p] = new long[] {src, dst, dstPort};
            expected[p] = classifier.classify(false, src, 0, dst, 0, 6, 40_000, dstPort, -1, false);
            matched += expected[p] >= 0 ? 1 : 0;
        }
        assertTrue(matched > PACKETS / 4, "packets that match a rule: " + matched);
        for (int side : new int[] {ClassifyBatch.SOURCE, ClassifyBatch.DESTINATION, ClassifyBatch.EITHER}) {
            assertArrayEquals(expected, classifyInBatches(classifier, packets, side), "side " + side);
        }
    }

    @Test
    void shouldRejectAnUnknownSide() {
        ClassifyBatch batch = new ClassifyBatch(BATCH);
        assertThrows(IllegalArgumentException.class, () -> batch.vpcAddresses(0));
        assertThrows(IllegalArgumentException.class, () -> batch.vpcAddresses(4));
        batch.vpcAddresses(ClassifyBatch.SOURCE);
        assertEquals(ClassifyBatch.SOURCE, batch.vpcSide());
    }

    private static int[] classifyInBatches(VrfClassifier classifier, long[][] packets, int side) {
        ClassifyBatch batch = new ClassifyBatch(BATCH);
        batch.vpcAddresses(side);
        int[] ranks = new int[packets.length];
        for (int first = 0; first < packets.length; first += BATCH) {
            batch.clear();
            for (int p = first; p < first + BATCH; p++) {
                long[] packet = packets[p];
                batch.add(false, packet[0], 0, packet[1], 0, 6, 40_000, (int) packet[2], -1, false);
            }
            classifier.classify(batch);
            for (int i = 0; i < BATCH; i++) {
                ranks[first + i] = batch.rank(i);
            }
        }
        return ranks;
    }
}
