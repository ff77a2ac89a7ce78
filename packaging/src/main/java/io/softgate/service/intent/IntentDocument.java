package io.softgate.service.intent;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole declarative state the controller gave this node, as persisted and as compiled: one
 * generation number per accepted change, the next id to hand out, the site and admin tenant the
 * controller looks up by name, and every object list. Ids are plain positive integers, unique
 * across all kinds.
 *
 * <p>Threading: immutable; a change builds a new document through {@link #edit()}.
 */
public record IntentDocument(long generation, int nextId, String siteName, String adminTenantName,
                             List<VpcIntent> vpcs, List<AllocationIntent> allocations, List<SubnetIntent> subnets,
                             List<VnetIntent> vnets, List<NatIntent> nats, List<L4lbIntent> l4lbs,
                             List<AclIntent> acls, List<StaticRouteIntent> routes) {
    public static final int SITE_ID = 1;
    public static final int ADMIN_TENANT_ID = 1;
    public static final String SYSTEM_VPC_NAME = "softgate-system";

    public IntentDocument {
        vpcs = List.copyOf(vpcs);
        allocations = List.copyOf(allocations);
        subnets = List.copyOf(subnets);
        vnets = List.copyOf(vnets);
        nats = List.copyOf(nats);
        l4lbs = List.copyOf(l4lbs);
        acls = List.copyOf(acls);
        routes = List.copyOf(routes);
    }

    /** A first start: generation 0 and the one system VPC, owned by the admin tenant. */
    public static IntentDocument initial(String siteName, String adminTenantName) {
        return new IntentDocument(0, 2, siteName, adminTenantName,
            List.of(new VpcIntent(1, SYSTEM_VPC_NAME, ADMIN_TENANT_ID, true)), List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of(), List.of());
    }

    public Draft edit() {
        return new Draft(this);
    }

    public VpcIntent vpc(int id) {
        for (VpcIntent vpc : vpcs) {
            if (vpc.id() == id) {
                return vpc;
            }
        }
        return null;
    }

    public VpcIntent systemVpc() {
        for (VpcIntent vpc : vpcs) {
            if (vpc.system()) {
                return vpc;
            }
        }
        return null;
    }

    /**
     * Mutable copy of a document's lists for one change; {@link #build} yields the next
     * generation.
     *
     * <p>Threading: confined to the thread applying the change.
     */
    public static final class Draft {
        private final IntentDocument base;
        private int nextId;
        public final List<VpcIntent> vpcs;
        public final List<AllocationIntent> allocations;
        public final List<SubnetIntent> subnets;
        public final List<VnetIntent> vnets;
        public final List<NatIntent> nats;
        public final List<L4lbIntent> l4lbs;
        public final List<AclIntent> acls;
        public final List<StaticRouteIntent> routes;

        Draft(IntentDocument base) {
            this.base = base;
            this.nextId = base.nextId;
            this.vpcs = new ArrayList<>(base.vpcs);
            this.allocations = new ArrayList<>(base.allocations);
            this.subnets = new ArrayList<>(base.subnets);
            this.vnets = new ArrayList<>(base.vnets);
            this.nats = new ArrayList<>(base.nats);
            this.l4lbs = new ArrayList<>(base.l4lbs);
            this.acls = new ArrayList<>(base.acls);
            this.routes = new ArrayList<>(base.routes);
        }

        public IntentDocument base() {
            return base;
        }

        /** The next unused id (ids are never reused within a state directory). */
        public int newId() {
            return nextId++;
        }

        public int peekNextId() {
            return nextId;
        }

        public IntentDocument build() {
            return new IntentDocument(base.generation + 1, nextId, base.siteName, base.adminTenantName, vpcs,
                allocations, subnets, vnets, nats, l4lbs, acls, routes);
        }
    }
}
