package io.worldgate.gateway.service.internal;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.worldgate.gateway.service.ApiLimits;
import java.util.List;
import java.util.Set;

/**
 * Checks every string and map field of a parsed request against {@link ApiLimits}, before any
 * service code sees it, so no field of any call, present or future, goes unbounded.
 */
final class FieldBounds {
    private static final Set<String> ID_FIELDS = Set.of("run_id", "checkpoint");

    private FieldBounds() {}

    /** @throws IllegalArgumentException naming the first field out of bounds */
    static void check(Message message) {
        for (var entry : message.getAllFields().entrySet()) {
            FieldDescriptor f = entry.getKey();
            Object value = entry.getValue();
            if (f.isMapField()) {
                checkMap(f, (List<?>) value);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.isRepeated()) {
                    ((List<?>) value).forEach(m -> check((Message) m));
                } else {
                    check((Message) value);
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.STRING) {
                int max = ID_FIELDS.contains(f.getName()) ? ApiLimits.MAX_ID_CHARS : ApiLimits.MAX_NAME_CHARS;
                if (f.isRepeated()) {
                    ((List<?>) value).forEach(s -> checkLength(f.getName(), (String) s, max));
                } else {
                    checkLength(f.getName(), (String) value, max);
                }
            }
        }
    }

    private static void checkMap(FieldDescriptor f, List<?> entries) {
        if (entries.size() > ApiLimits.MAX_MAP_ENTRIES) {
            throw new IllegalArgumentException(f.getName() + " has " + entries.size() + " entries; at most "
                    + ApiLimits.MAX_MAP_ENTRIES);
        }
        for (Object e : entries) {
            Message entry = (Message) e;
            Object key = entry.getField(f.getMessageType().findFieldByNumber(1));
            Object value = entry.getField(f.getMessageType().findFieldByNumber(2));
            if (key instanceof String k) {
                checkLength(f.getName() + " key", k, ApiLimits.MAX_KEY_CHARS);
            }
            if (value instanceof String v) {
                checkLength(f.getName() + "[" + ApiLimits.echo(String.valueOf(key)) + "]", v, ApiLimits.MAX_VALUE_CHARS);
            }
        }
    }

    private static void checkLength(String field, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " is " + value.length() + " characters long; at most " + max
                    + " (starts '" + ApiLimits.echo(value) + "')");
        }
    }
}
