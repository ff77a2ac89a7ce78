package io.softgate.service.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads a configuration file strictly: unknown fields, duplicate keys, wrong types, trailing
 * content and values coerced from strings are all errors naming the field path; the parsed
 * configuration is then checked by {@link ConfigValidator}.
 *
 * <p>Threading: stateless apart from an immutable, thread-safe mapper.
 */
public final class ConfigLoader {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();

    private ConfigLoader() {
    }

    /** A configuration and the file it came from (relative paths inside resolve against its directory). */
    public record LoadedConfig(SoftgateConfig config, Path file) {
        /** Resolves a path from the configuration against the configuration file's directory. */
        public Path resolve(String path) {
            Path directory = file.toAbsolutePath().getParent();
            return directory.resolve(path).normalize();
        }
    }

    /** Reads and validates {@code file}; any problem becomes a {@link ConfigException}. */
    public static LoadedConfig load(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("", "file not found")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("", "cannot read: " + e.getMessage())));
        }
        return new LoadedConfig(parse(file.toString(), bytes), file);
    }

    /** Parses and validates JSON text; {@code source} names it in error messages. */
    public static SoftgateConfig parse(String source, byte[] json) throws ConfigException {
        if (new String(json, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ConfigException(source, List.of(new ConfigError("", "empty document; expected a JSON object")));
        }
        SoftgateConfig config;
        try {
            config = MAPPER.readValue(json, SoftgateConfig.class);
        } catch (JacksonException e) {
            throw new ConfigException(source, List.of(describe(e)));
        } catch (IOException e) {
            throw new ConfigException(source, List.of(new ConfigError("", "cannot read: " + e.getMessage())));
        }
        if (config == null) {
            throw new ConfigException(source, List.of(new ConfigError("", "empty document; expected a JSON object")));
        }
        List<ConfigError> errors = ConfigValidator.validate(config);
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return config;
    }

    /** Turns a Jackson failure into an error with the field path and a message a person can act on. */
    static ConfigError describe(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            TreeSet<String> known = new TreeSet<>();
            if (unknown.getKnownPropertyIds() != null) {
                unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
            }
            return new ConfigError(JsonPaths.of(unknown.getPath()), "unknown field (known fields here: " + String.join(", ", known) + ")");
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null && invalid.getTargetType().isEnum()) {
            List<String> allowed = new ArrayList<>();
            for (Object constant : invalid.getTargetType().getEnumConstants()) {
                allowed.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            return new ConfigError(JsonPaths.of(invalid.getPath()), "must be one of " + allowed + " (was " + invalid.getValue() + ")");
        }
        if (e instanceof JsonMappingException wrapper && wrapper.getCause() instanceof StreamReadException read) {
            return new ConfigError(JsonPaths.of(wrapper.getPath()), "malformed JSON: " + read.getOriginalMessage() + at(read.getLocation()));
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return new ConfigError(JsonPaths.of(mismatch.getPath()), "wrong type: expected " + typeName(mismatch.getTargetType())
                + at(mismatch.getLocation()));
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return new ConfigError(JsonPaths.of(mapping.getPath()), mapping.getOriginalMessage() + at(mapping.getLocation()));
        }
        if (e instanceof StreamReadException read && read.getProcessor() != null) {
            JsonParser parser = read.getProcessor();
            String path = JsonPaths.of(parser.getParsingContext().pathAsPointer());
            return new ConfigError(path, "malformed JSON: " + read.getOriginalMessage() + at(read.getLocation()));
        }
        return new ConfigError("", "malformed JSON: " + e.getOriginalMessage() + at(e.getLocation()));
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

}
