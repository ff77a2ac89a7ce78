package io.softgate.core.counter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of a worker's counters, in id order; every worker of a pipeline shares one layout.
 *
 * <p>Threading: built by the control thread before workers start; immutable once
 * {@link #freeze()} has been called.
 */
public final class CounterLayout {
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private boolean frozen;

    /** Registers {@code name} and returns its id (the existing id if it is already there). */
    public int register(String name) {
        Integer existing = ids.get(name);
        if (existing != null) {
            return existing;
        }
        if (frozen) {
            throw new IllegalStateException("counter layout is frozen; cannot add " + name);
        }
        int id = names.size();
        names.add(name);
        ids.put(name, id);
        return id;
    }

    /** Registers consecutive names and returns the id of the first. */
    public int registerAll(List<String> block) {
        int base = names.size();
        for (String name : block) {
            if (ids.containsKey(name)) {
                throw new IllegalArgumentException("duplicate counter " + name);
            }
            register(name);
        }
        return base;
    }

    public CounterLayout freeze() {
        frozen = true;
        return this;
    }

    public int size() {
        return names.size();
    }

    public String name(int id) {
        return names.get(id);
    }

    /** Id of {@code name}, or -1. */
    public int id(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    public List<String> names() {
        return Collections.unmodifiableList(names);
    }
}
