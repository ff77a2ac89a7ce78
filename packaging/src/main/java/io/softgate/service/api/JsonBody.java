package io.softgate.service.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.softgate.service.config.JsonPaths;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies strictly (one JSON value, no duplicate keys, no trailing content) and their
 * fields with the types the Netris clients send; every failure is a {@link BadRequestException}
 * naming the field. The one place where a body that does not parse or does not bind onto a type
 * ({@link #bind}) becomes such an error: the field as its JSON path ({@code vnets[0].gateways})
 * and the reason in plain words, never Jackson's message (it names Java classes).
 *
 * <p>Threading: stateless (the mappers are thread-safe).
 */
public final class JsonBody {
    static final ObjectMapper STRICT = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(JsonParser.Feature.ALLOW_COMMENTS)
        .build();

    /**
     * {@link #STRICT} for binding bodies onto types: unknown fields and nulls for primitives are
     * refused, and so are a null list and a null in a list. The records copy their lists
     * ({@code List.copyOf}), which throws on a null inside their constructor, where Jackson can
     * name only the object; refused here, the error names the field ({@code vnets[0].gateways}).
     * Built once so its deserializers are cached across requests.
     */
    static final ObjectMapper BINDER = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(JsonParser.Feature.ALLOW_COMMENTS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .withConfigOverride(List.class, override -> override.setSetterInfo(JsonSetter.Value.construct(Nulls.FAIL, Nulls.FAIL)))
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
        } catch (JsonProcessingException e) {
            throw describe(e);
        } catch (IOException e) {
            throw new BadRequestException("body", "not valid JSON");
        }
    }

    /** {@code body} bound onto {@code type} by {@link #BINDER}; a body that does not fit is a 400 naming the field. */
    public static <T> T bind(JsonNode body, Class<T> type) throws BadRequestException {
        try {
            T value = BINDER.treeToValue(body, type);
            if (value == null) {
                throw new BadRequestException("body", "must be a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw describe(e);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("body", "invalid value");
        }
    }

    /**
     * A body's parse or binding failure as a 400: the field as a JSON path ({@code body} for the
     * whole) and a short reason from the exception's type and target type, never its message.
     */
    static BadRequestException describe(JsonProcessingException failure) {
        if (failure instanceof JsonMappingException mapping) {
            String field = path(mapping.getPath());
            if (mapping instanceof UnrecognizedPropertyException) {
                return new BadRequestException(field, "unknown field");
            }
            if (mapping instanceof InvalidNullException nullValue) {
                String reason = typeReason(nullValue.getTargetType());
                return new BadRequestException(field, reason == null ? "required" : reason);
            }
            if (mapping instanceof MismatchedInputException mismatch) {
                String reason = typeReason(mismatch.getTargetType());
                return new BadRequestException(field, reason == null ? "invalid value" : reason);
            }
            // Binding wraps a parser's failure (a number out of range, a duplicate field in a
            // nested value) with the path it had reached.
            for (Throwable cause = mapping.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                if (cause instanceof InputCoercionException coercion) {
                    return new BadRequestException(field, outOfRange(coercion));
                }
            }
            return new BadRequestException(field, "invalid value");
        }
        if (failure instanceof InputCoercionException coercion) {
            return new BadRequestException(parserPath(coercion), outOfRange(coercion));
        }
        // Jackson's duplicate-key check (STRICT_DUPLICATE_DETECTION) says it only in its message,
        // "Duplicate field 'name'"; the parser's context holds the name and where it was.
        if (failure instanceof StreamReadException read && failure.getOriginalMessage() != null
            && failure.getOriginalMessage().startsWith("Duplicate field") && read.getProcessor() != null) {
            JsonStreamContext context = read.getProcessor().getParsingContext();
            String name = context == null ? null : context.getCurrentName();
            if (name != null) {
                return new BadRequestException(parserPath(read), "duplicate field \"" + name + "\"");
            }
        }
        if (failure.getLocation() != null) {
            return new BadRequestException("body", "not valid JSON (line " + failure.getLocation().getLineNr() + ", column "
                + failure.getLocation().getColumnNr() + ")");
        }
        return new BadRequestException("body", "not valid JSON");
    }

    /** {@code vnets[0].gateways} from Jackson's path; {@code body} for an empty one. */
    static String path(List<JsonMappingException.Reference> references) {
        return orBody(JsonPaths.of(references));
    }

    /** The path of where a parser stood, as {@link #path} writes it. */
    private static String parserPath(StreamReadException failure) {
        JsonParser parser = failure.getProcessor();
        return parser == null ? "body" : orBody(JsonPaths.of(parser.getParsingContext().pathAsPointer()));
    }

    private static String orBody(String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static String outOfRange(InputCoercionException coercion) {
        Class<?> target = coercion.getTargetType();
        if (target == Integer.class || target == int.class) {
            return "must be an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (target == Long.class || target == long.class) {
            return "must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        return "number out of range";
    }

    /** What a value of {@code type} must be, in the words of the API's other errors; null when unknown. */
    private static String typeReason(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class || type == short.class
            || type == Short.class || type == byte.class || type == Byte.class || type == BigInteger.class) {
            return "must be an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
            || type == BigDecimal.class || type == Number.class) {
            return "must be a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        }
        if (type == String.class || CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "must be a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "must be a list";
        }
        if (type.isEnum()) {
            return "not one of the allowed values";
        }
        if (Map.class.isAssignableFrom(type) || !type.isPrimitive()) {
            return "must be an object";
        }
        return null;
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
