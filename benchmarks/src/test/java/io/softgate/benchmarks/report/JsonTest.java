package io.softgate.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void shouldReadBackWhatItWrites() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "quote \" backslash \\ newline \n");
        value.put("count", 3);
        value.put("ratio", 0.125);
        value.put("list", List.of("a", "b"));
        value.put("flag", true);

        Map<String, Object> read = MiniJsonReader.readObject(Json.write(value));

        assertEquals("quote \" backslash \\ newline \n", read.get("name"));
        assertEquals(3.0, read.get("count"));
        assertEquals(0.125, read.get("ratio"));
        assertEquals(List.of("a", "b"), read.get("list"));
        assertEquals(true, read.get("flag"));
    }

    @Test
    void shouldWriteNanAsNull() {
        Map<String, Object> read = MiniJsonReader.readObject(Json.write(Map.of("x", Double.NaN)));
        assertNull(read.get("x"));
    }
}
