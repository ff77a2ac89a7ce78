package io.softgate.service.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.session.SessionKeys;
import io.softgate.nat.session.SessionRestorer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole hitless-restart path in one JVM: a NAT translates, its journal reaches the store, the
 * "process" ends, a new NAT reloads the store and translates the same flows exactly as before.
 */
class SessionReloadTest {
    private static final String VM = "10.1.1.10";
    private static final String SERVER = "203.0.113.10";

    @TempDir
    Path directory;

    private static void awaitStored(SessionPersistence persistence, int sessions) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!persistence.statistics().contains("stored " + sessions) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void shouldTranslateAfterReloadToTheSameExternalAddressAndPortBothWays() throws Exception {
        Path file = directory.resolve(SessionPersistence.FILE_NAME);
        byte[] before;
        try (NatWorld old = new NatWorld(4096);
             SessionPersistence persistence = SessionPersistence.start(file, old.nat, old.tables, 4096,
                 WallClock.system())) {
            before = old.fromVpc(NatWorld.udp(VM, 40000, SERVER, 5353));
            assertNotNull(before);
            awaitStored(persistence, 1);
        }
        try (NatWorld restarted = new NatWorld(4096);
             SessionPersistence persistence = SessionPersistence.start(file, restarted.nat, restarted.tables, 4096,
                 WallClock.system())) {
            assertEquals(1, persistence.reloadResult().restored(), persistence.reloadResult().summary());
            byte[] after = restarted.fromVpc(NatWorld.udp(VM, 40000, SERVER, 5353));
            assertArrayEquals(before, after, "same external address and port, same checksums");
            byte[] reply = restarted.fromInternet(NatWorld.udp(SERVER, 5353, NatWorld.SNAT, NatWorld.sourcePort(before)));
            assertNotNull(reply, "the reply to the restored mapping is translated");
            assertEquals(VM, NatWorld.destination(reply));
            assertEquals(40000, NatWorld.destinationPort(reply));
        }
    }

    @Test
    void shouldNotRestoreSessionsThatExpiredWhileTheNodeWasDown() throws Exception {
        Path file = directory.resolve(SessionPersistence.FILE_NAME);
        try (NatWorld old = new NatWorld(4096);
             SessionPersistence persistence = SessionPersistence.start(file, old.nat, old.tables, 4096,
                 WallClock.system())) {
            old.fromVpc(NatWorld.udp(VM, 40000, SERVER, 5353));
            awaitStored(persistence, 1);
        }
        // Ten minutes later on the wall clock: the 5-minute UDP session (plus refresh slack) is gone.
        WallClock later = new WallClock(System::nanoTime, () -> WallClock.system().epochNow() + 600_000_000_000L);
        try (NatWorld restarted = new NatWorld(4096);
             SessionPersistence persistence = SessionPersistence.start(file, restarted.nat, restarted.tables, 4096,
                 later)) {
            assertEquals(0, persistence.reloadResult().restored());
            assertEquals(1, persistence.reloadResult().expired());
            assertEquals(0, restarted.nat.sessions().sessionCount());
        }
    }

    /**
     * Many 1:1 sessions (no port state) written through the journal and reloaded: every one comes
     * back. Prints the write and reload figures (no speed assertion). The NAT is sized for twice
     * the sessions: at exactly its nat.maxSessions the session table runs at load 0.38, where
     * about one insert in tens of millions finds its 32-slot probe window full (a counted,
     * documented outcome of FlowTable, not of the reload); at load 0.19 that is below 1e-12.
     */
    @Test
    void shouldRestoreEveryOneOfManySessions() throws Exception {
        int sessions = 100_000;
        Path file = directory.resolve(SessionPersistence.FILE_NAME);
        int vm = Ipv4Flyweight.parse(NatWorld.ONE_TO_ONE_VM);
        int publicAddress = Ipv4Flyweight.parse(NatWorld.ONE_TO_ONE);
        long writeNs;
        long drainCpuNs;
        int capacity = 2 * sessions;
        try (NatWorld old = new NatWorld(capacity);
             SessionPersistence persistence = SessionPersistence.start(file, old.nat, old.tables, capacity,
                 WallClock.system())) {
            long deadlineNs = System.nanoTime() + 3_600_000_000_000L;
            long startNs = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                int remote = Ipv4Flyweight.parse(SERVER) + (i >>> 14);
                int remotePort = 1024 + (i & 0x3FFF);
                persistence.journal().sessionCreated(
                    SessionKeys.word0(SessionKeys.TAG_INSIDE, 6, NatWorld.BLUE_VRF, 8000, remotePort),
                    SessionKeys.word1(vm, remote),
                    SessionKeys.word0(SessionKeys.TAG_OUTSIDE, 6, 0, remotePort, 8000),
                    SessionKeys.word1(remote, publicAddress),
                    Rewrite.word0(6, vm, publicAddress, 8000, 8000),
                    Rewrite.word1(false, false, vm, publicAddress, 0, true),
                    Rewrite.word0(6, publicAddress, vm, 8000, 8000),
                    Rewrite.word1(true, true, publicAddress, vm, NatWorld.BLUE_VRF, true), deadlineNs);
                if ((i & 0xFFF) == 0) {
                    Thread.sleep(1); // a producer faster than the drain would fill the ring: pace it
                }
            }
            awaitStored(persistence, sessions);
            writeNs = System.nanoTime() - startNs;
            drainCpuNs = persistence.drainCpuNs();
            assertEquals(0, persistence.journal().droppedRecords());
        }
        try (NatWorld restarted = new NatWorld(capacity);
             SessionPersistence persistence = SessionPersistence.start(file, restarted.nat, restarted.tables,
                 capacity, WallClock.system())) {
            SessionReload.Result result = persistence.reloadResult();
            assertEquals(sessions, result.restored(), result.summary());
            assertEquals(sessions, restarted.nat.sessions().sessionCount());
            assertEquals(0, result.byResult()[SessionRestorer.TABLE_FULL]);
            System.out.printf("session store: %d sessions written through the journal in %.0f ms wall (%.0f /s), "
                + "drain thread CPU %.0f ms (%.0f /s per CPU second); %s%n", sessions, writeNs / 1e6,
                sessions / (writeNs / 1e9), drainCpuNs / 1e6, sessions / (drainCpuNs / 1e9), result.summary());
        }
    }
}
