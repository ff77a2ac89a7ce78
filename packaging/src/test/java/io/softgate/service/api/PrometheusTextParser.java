package io.softgate.service.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written for the tests: every
 * line is a HELP, a TYPE or a sample; names and label names follow the grammar; label values use
 * only the three escapes; values are Go floats (or NaN, +Inf, -Inf); a family's TYPE comes once
 * and before its samples; a family's samples are contiguous; no series repeats; summaries carry
 * only quantile samples, {@code _sum} and {@code _count}. Any violation is an exception naming the
 * line.
 */
final class PrometheusTextParser {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?|NaN|Inf)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    final Map<String, String> types = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PrometheusTextParser parse(String text) {
        PrometheusTextParser parser = new PrometheusTextParser();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        String[] lines = text.split("\n", -1);
        Set<String> help = new HashSet<>();
        Set<String> finishedFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        String currentFamily = null;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "': ";
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                requireName(parts[0], where);
                if (!help.add(parts[0])) {
                    throw new IllegalArgumentException(where + "second HELP");
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || !TYPES.contains(parts[1])) {
                    throw new IllegalArgumentException(where + "bad TYPE line");
                }
                requireName(parts[0], where);
                if (parser.types.containsKey(parts[0])) {
                    throw new IllegalArgumentException(where + "second TYPE");
                }
                parser.types.put(parts[0], parts[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException(where + "empty line");
            }
            Sample sample = parser.sample(line, where);
            String family = parser.familyOf(sample.name(), where);
            if (!family.equals(currentFamily)) {
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                if (finishedFamilies.contains(family)) {
                    throw new IllegalArgumentException(where + "samples of " + family + " are not contiguous");
                }
                currentFamily = family;
            }
            if (!series.add(sample.name() + sample.labels())) {
                throw new IllegalArgumentException(where + "duplicate series");
            }
            parser.samples.add(sample);
        }
        return parser;
    }

    private String familyOf(String name, String where) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_sum", "_count", "_bucket"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                if ("summary".equals(type) && !suffix.equals("_bucket") || "histogram".equals(type)) {
                    return base;
                }
            }
        }
        throw new IllegalArgumentException(where + "sample before (or without) its TYPE");
    }

    private Sample sample(String line, String where) {
        int position = 0;
        Matcher name = METRIC_NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException(where + "bad metric name");
        }
        position = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (position < line.length() && line.charAt(position) == '{') {
            position++;
            while (line.charAt(position) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(position, line.length());
                if (!label.lookingAt()) {
                    throw new IllegalArgumentException(where + "bad label name");
                }
                String labelName = label.group();
                position = label.end();
                if (line.charAt(position) != '=' || line.charAt(position + 1) != '"') {
                    throw new IllegalArgumentException(where + "expected =\"");
                }
                position += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    char c = line.charAt(position++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char escaped = line.charAt(position++);
                        switch (escaped) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + escaped);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(labelName, value.toString()) != null) {
                    throw new IllegalArgumentException(where + "duplicate label " + labelName);
                }
                if (line.charAt(position) == ',') {
                    position++;
                } else if (line.charAt(position) != '}') {
                    throw new IllegalArgumentException(where + "expected , or }");
                }
            }
            position++;
        }
        if (position >= line.length() || line.charAt(position) != ' ') {
            throw new IllegalArgumentException(where + "expected one space before the value");
        }
        String[] rest = line.substring(position + 1).split(" ");
        if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
            throw new IllegalArgumentException(where + "bad value");
        }
        if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
            throw new IllegalArgumentException(where + "bad timestamp");
        }
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(rest[0]);
        };
        String metric = name.group();
        String type = types.get(metric);
        if ("summary".equals(type) && !labels.containsKey("quantile")) {
            throw new IllegalArgumentException(where + "a summary sample without quantile");
        }
        return new Sample(metric, labels, value);
    }

    private static void requireName(String name, String where) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
    }

    Sample find(String name, Map<String, String> labels) {
        for (Sample sample : samples) {
            if (sample.name().equals(name) && sample.labels().equals(labels)) {
                return sample;
            }
        }
        return null;
    }

    static Map<String, String> labels(String... pairs) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            labels.put(pairs[i], pairs[i + 1]);
        }
        return labels;
    }
}
