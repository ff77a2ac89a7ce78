package io.softgate.lb.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.flow.FlowTable;
import org.junit.jupiter.api.Test;

class VipDropReasonTest {
    @Test
    void shouldTellAFullTableFromAnInsertLostToARacingWorker() {
        assertEquals(VipDropReason.CONNECTION_TABLE_FULL, VipDropReason.insertFailure(FlowTable.FULL));
        assertEquals(VipDropReason.INSERT_CONTENDED, VipDropReason.insertFailure(FlowTable.CONTENDED));
    }
}
