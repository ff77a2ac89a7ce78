package io.softgate.service.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads request bodies strictly (one JSON value, no duplicate keys, no trailing content) and their
 * fields with the types the Netris clients send; every failure is a {@link BadRequestException}
 * naming the field.
 *
 * <p>Threading: stateless (the mapper is thread-safe).
 */
public final class JsonBody {
    static final ObjectMapper STRICT = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(JsonParser.Feature.ALLOW_COMMENTS)
        .build();

    private JsonBody() {
    }

    /** The body as a JSON object. */
    public static JsonNode object(ApiRequest request) throws BadRequestException {
        JsonNode node = parse(request.body());
        if (!node.isObject()) {
            throw new BadRequestException("body", "must be a JSON object");
        }
        return node;
    }

    public static JsonNode parse(byte[] body) throws BadRequestException {
        if (body.length == 0) {
            throw new BadRequestException("body", "required (JSON)");
        }
        try {
            JsonNode node = STRICT.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new BadRequestException("body", "required (JSON)");
            }
            return node;
        } catch (IOException e) {
            throw new BadRequestException("body", "not valid JSON" + location(e));
        }
    }

    private static String location(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null) {
            return " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")";
        }
        return "";
    }

    public static String text(JsonNode node, String field, boolean required) throws BadRequestException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadRequestException(field, "required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestException(field, "must be a string");
        }
        return value.textValue();
    }

    /** An integer given as a JSON number or a decimal string; null when absent and optional. */
    public static Integer integer(JsonNode node, String field, boolean required) throws BadRequestException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadRequestException(field, "required");
            }
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
        }
        if (value.isNumber() && value.canConvertToExactIntegral() && value.canConvertToInt()) {
            return value.intValue();
        }
        if (value.isTextual()) {
            String text = value.textValue();
            if (text.length() <= 10 && AsciiDigits.only(text)) {
                long parsed = Long.parseLong(text);
                if (parsed <= Integer.MAX_VALUE) {
                    return (int) parsed;
                }
            }
        }
        throw new BadRequestException(field, "must be an integer");
    }

    /** The {@code id} of a nested object such as {@code "vpc": {"id": 3}}. */
    public static Integer nestedId(JsonNode node, String field, boolean required) throws BadRequestException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadRequestException(field + ".id", "required");
            }
            return null;
        }
        if (value.isArray() && value.size() == 1) {
            value = value.get(0);
        }
        if (value.isObject()) {
            try {
                return integer(value, "id", required);
            } catch (BadRequestException e) {
                throw new BadRequestException(field + ".id", e.reason());
            }
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
        }
        throw new BadRequestException(field, "must be an object with an id");
    }

    /** A flag sent as a boolean, a number (1/0) or a string (yes/no, true/false). */
    public static boolean flag(JsonNode node, String field, boolean defaultValue) throws BadRequestException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            long number = value.longValue();
            if (number == 0 || number == 1) {
                return number == 1;
            }
        }
        if (value.isTextual()) {
            switch (value.textValue().toLowerCase(Locale.ROOT)) {
                case "yes", "true", "1" -> {
                    return true;
                }
                case "no", "false", "0", "" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new BadRequestException(field, "must be a boolean, 0/1 or yes/no");
    }

    /** Integer ids given as {@code [1,2]}, {@code 1} or {@code {"id": 1}}. */
    public static List<Integer> ids(JsonNode node, String field) throws BadRequestException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadRequestException(field, "required");
        }
        List<Integer> ids = new ArrayList<>();
        if (value.isArray()) {
            if (value.size() > 100_000) {
                throw new BadRequestException(field, "too many ids");
            }
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                    throw new BadRequestException(field + "[" + i + "]", "must be an integer");
                }
                ids.add(item.intValue());
            }
            return ids;
        }
        ids.add(integer(node, field, true));
        return ids;
    }
}
