package io.softgate.evpn.bgp.rib;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.List;
import java.util.Set;

/**
 * What the RIB needs of an established session: who it is, what was negotiated, and a way
 * to send encoded UPDATEs.
 *
 * <p>Threading: called only on the speaker's event loop.
 */
public interface RibPeer {
    PeerIdentity identity();

    Set<AddressFamily> negotiatedFamilies();

    CodecContext codecContext();

    /** True when the peer advertised graceful restart: it then gets End-of-RIB markers (RFC 4724 §2). */
    boolean wantsEndOfRib();

    ByteBufAllocator allocator();

    /** Writes and flushes the messages; takes ownership of the buffers. */
    void send(List<ByteBuf> messages);
}
