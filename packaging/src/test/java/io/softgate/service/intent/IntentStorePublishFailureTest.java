package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file is renamed into place before the snapshot is published; when the publish throws, the
 * client is told nothing changed, so the previous file must be back (a restart loads what the data
 * plane ran) and the store's current document must stay the previous one.
 */
class IntentStorePublishFailureTest {
    @TempDir
    Path stateDir;
    IntentPersistence persistence;
    SnapshotPublisher publisher;
    boolean failing;
    IntentStore store;

    @BeforeEach
    void open() throws Exception {
        persistence = new IntentPersistence(stateDir);
        publisher = new SnapshotPublisher(new WorkerEpochs(1));
        IntentStore.SnapshotSink sink = snapshot -> {
            if (failing) {
                throw new IllegalStateException("sink refused the snapshot");
            }
            return publisher.publish(snapshot);
        };
        store = IntentStore.open(new IntentCompiler(ConfigSnapshot::builder, List.of()), persistence, sink, "site", "Admin");
    }

    private IntentStore.Applied<VpcIntent> addVpc(String name) throws IntentRejectedException {
        return store.apply(null, draft -> {
            VpcIntent vpc = new VpcIntent(draft.newId(), name, IntentDocument.ADMIN_TENANT_ID, false);
            draft.vpcs.add(vpc);
            return vpc;
        });
    }

    private List<String> stateFiles() throws Exception {
        try (Stream<Path> files = Files.list(stateDir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldPutThePreviousFileBackAndKeepTheCurrentDocumentWhenThePublishThrows() throws Exception {
        addVpc("vpc1");
        IntentDocument before = store.current();
        byte[] fileBefore = Files.readAllBytes(persistence.file());
        long epochBefore = publisher.current().epoch();

        failing = true;
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> addVpc("vpc2"));
        assertEquals("sink refused the snapshot", thrown.getMessage());

        assertSame(before, store.current(), "the current document is the previous one");
        assertArrayEquals(fileBefore, Files.readAllBytes(persistence.file()), "the previous file is back");
        assertEquals(before, persistence.load(), "a restart loads what the data plane runs");
        assertEquals(epochBefore, publisher.current().epoch());
        assertEquals(List.of(IntentPersistence.FILE_NAME), stateFiles(), "nothing staged or kept aside is left");
    }

    @Test
    void shouldApplyTheSameChangeOnceThePublishWorksAgain() throws Exception {
        IntentDocument before = store.current();
        failing = true;
        assertThrows(IllegalStateException.class, () -> addVpc("vpc1"));
        failing = false;
        IntentStore.Applied<VpcIntent> applied = addVpc("vpc1");
        assertEquals(before.generation() + 1, store.current().generation());
        assertEquals(store.current(), persistence.load());
        assertEquals(store.current().generation(), publisher.current().get(CompiledIntent.SLOT).generation());
        assertEquals("vpc1", applied.result().name());
        assertEquals(List.of(IntentPersistence.FILE_NAME), stateFiles(), "the replaced file is dropped once published");
    }
}
