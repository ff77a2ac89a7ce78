package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * AS_PATH, type 2, well-known mandatory (RFC 4271 §5.1.2): segments of type AS_SET(1),
 * AS_SEQUENCE(2), AS_CONFED_SEQUENCE(3), AS_CONFED_SET(4), each with 2- or (RFC 6793, when
 * negotiated) 4-octet AS numbers.
 *
 * <p>Threading: immutable, safe to share.
 */
public record AsPathAttribute(List<Segment> segments) implements PathAttribute {
    public static final int TYPE = 2;
    public static final int AS_SET = 1;
    public static final int AS_SEQUENCE = 2;
    public static final int AS_CONFED_SEQUENCE = 3;
    public static final int AS_CONFED_SET = 4;
    public static final AsPathAttribute EMPTY = new AsPathAttribute(List.of());
    public static final PathAttributeCodec<AsPathAttribute> CODEC = new Codec();

    /**
     * One segment: its type and AS numbers (unsigned, in a long).
     *
     * <p>Threading: immutable, safe to share.
     */
    public record Segment(int type, List<Long> asNumbers) {
        public Segment {
            asNumbers = List.copyOf(asNumbers);
        }
    }

    public AsPathAttribute {
        segments = List.copyOf(segments);
    }

    public static AsPathAttribute sequence(long... asNumbers) {
        List<Long> list = new ArrayList<>();
        for (long asn : asNumbers) {
            list.add(asn);
        }
        return new AsPathAttribute(List.of(new Segment(AS_SEQUENCE, list)));
    }

    /** Path length for best-path selection (RFC 4271 §9.1.2.2 a: an AS_SET counts 1, confederation segments 0). */
    public int pathLength() {
        int length = 0;
        for (Segment segment : segments) {
            if (segment.type() == AS_SEQUENCE) {
                length += segment.asNumbers().size();
            } else if (segment.type() == AS_SET) {
                length += 1;
            }
        }
        return length;
    }

    /** The first AS of the path (the neighbour AS), or -1 when empty. */
    public long firstAs() {
        for (Segment segment : segments) {
            if (segment.type() == AS_SEQUENCE && !segment.asNumbers().isEmpty()) {
                return segment.asNumbers().get(0);
            }
        }
        return -1;
    }

    public boolean contains(long asn) {
        for (Segment segment : segments) {
            if (segment.asNumbers().contains(asn)) {
                return true;
            }
        }
        return false;
    }

    /** This path with {@code asn} prepended to the leading AS_SEQUENCE (RFC 4271 §5.1.2 b). */
    public AsPathAttribute prepend(long asn) {
        List<Segment> result = new ArrayList<>();
        if (!segments.isEmpty() && segments.get(0).type() == AS_SEQUENCE && segments.get(0).asNumbers().size() < 255) {
            List<Long> first = new ArrayList<>();
            first.add(asn);
            first.addAll(segments.get(0).asNumbers());
            result.add(new Segment(AS_SEQUENCE, first));
            result.addAll(segments.subList(1, segments.size()));
        } else {
            result.add(new Segment(AS_SEQUENCE, List.of(asn)));
            result.addAll(segments);
        }
        return new AsPathAttribute(result);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }

    private static final class Codec extends AbstractPathAttributeCodec<AsPathAttribute> {
        Codec() {
            super(TYPE, AsPathAttribute.class, FLAG_TRANSITIVE, UpdateErrorAction.TREAT_AS_WITHDRAW);
        }

        @Override
        public AsPathAttribute decode(ByteBuf value, int length, CodecContext context) throws MalformedAttributeException {
            int asOctets = context.fourOctetAs() ? 4 : 2;
            int limit = value.readerIndex() + length;
            List<Segment> segments = new ArrayList<>();
            while (value.readerIndex() < limit) {
                // RFC 7606 §7.2: a segment that overruns the attribute, has zero length or an
                // undefined type makes the attribute malformed -> treat-as-withdraw.
                if (limit - value.readerIndex() < 2) {
                    throw new MalformedAttributeException(malformedAction(), "AS_PATH segment header overrun");
                }
                int type = value.readUnsignedByte();
                int count = value.readUnsignedByte();
                if (type < AS_SET || type > AS_CONFED_SET || count == 0) {
                    throw new MalformedAttributeException(malformedAction(), "AS_PATH segment type " + type + " count " + count);
                }
                if (value.readerIndex() + count * asOctets > limit) {
                    throw new MalformedAttributeException(malformedAction(), "AS_PATH segment overrun");
                }
                List<Long> asNumbers = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    asNumbers.add(asOctets == 4 ? value.readUnsignedInt() : (long) value.readUnsignedShort());
                }
                segments.add(new Segment(type, asNumbers));
            }
            return segments.isEmpty() ? EMPTY : new AsPathAttribute(segments);
        }

        @Override
        public void encodeValue(AsPathAttribute attribute, ByteBuf out, CodecContext context) {
            for (Segment segment : attribute.segments()) {
                out.writeByte(segment.type());
                out.writeByte(segment.asNumbers().size());
                for (long asn : segment.asNumbers()) {
                    if (context.fourOctetAs()) {
                        out.writeInt((int) asn);
                    } else {
                        // RFC 6793 §4.2.2: AS_TRANS stands in for a 4-octet AS towards an old speaker.
                        out.writeShort(asn > 0xFFFF ? 23456 : (int) asn);
                    }
                }
            }
        }
    }
}
