package io.worldgate.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors files written byte by byte as the format describes them, and JSON files, read back. */
class SafeTensorsTest {

    private static Path write(Path dir, String header, ByteBuffer data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.limit()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, out.array());
        return file;
    }

    @Test
    void readsFloat32AndFloat64TensorsByName(@TempDir Path dir) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(6 * 4 + 2 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putFloat(i * 0.5f);
        }
        data.putDouble(-1.25).putDouble(3.0).flip();
        Path file = write(dir, "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[24,40]}}", data);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            assertThat(t.keySet()).containsExactly("a.weight", "b");
            assertThat(t.get("a.weight").getShape()).isEqualTo(new Shape(2, 3));
            assertThat(t.get("a.weight").toFloatArray()).containsExactly(0f, 0.5f, 1f, 1.5f, 2f, 2.5f);
            assertThat(t.get("b").toFloatArray()).containsExactly(-1.25f, 3f);
        }
    }

    @Test
    void refusesOtherTypesAndOffsetsOutsideTheFile(@TempDir Path dir) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).flip();
        try (NDManager m = NDManager.newBaseManager()) {
            Path bf16 = write(dir, "{\"x\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                    ByteBuffer.allocate(8));
            assertThatThrownBy(() -> SafeTensors.read(bf16, m)).isInstanceOf(IOException.class).hasMessageContaining("BF16");
            Path past = write(dir, "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data);
            assertThatThrownBy(() -> SafeTensors.read(past, m)).isInstanceOf(IOException.class)
                    .hasMessageContaining("offsets");
            Path junk = dir.resolve("junk");
            Files.write(junk, new byte[] {1, 2, 3});
            assertThatThrownBy(() -> SafeTensors.read(junk, m)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void jsonBecomesPlainJavaValues(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"vit_mae\", \"hidden_size\": 16, \"eps\": 1e-12, \"qkv\": true,"
                + " \"size\": [32, 64], \"none\": null, \"nested\": {\"b\": 1, \"a\": \"x\"}}");
        Map<String, Object> c = JsonFiles.readObject(file);
        assertThat(c.keySet()).containsExactly("model_type", "hidden_size", "eps", "qkv", "size", "none", "nested");
        assertThat(c.get("nested")).isEqualTo(Map.of("b", 1.0, "a", "x"));
        assertThat(List.copyOf(((Map<?, ?>) c.get("nested")).keySet())).isEqualTo(List.of("b", "a"));
        assertThat(c).containsEntry("model_type", "vit_mae").containsEntry("hidden_size", 16.0).containsEntry("eps", 1e-12)
                .containsEntry("qkv", true).containsEntry("size", List.of(32.0, 64.0)).containsEntry("none", null);
        Files.writeString(file, "[1, 2]");
        assertThatThrownBy(() -> JsonFiles.readObject(file)).isInstanceOf(IOException.class);
    }
}
