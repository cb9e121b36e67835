package io.worldgate.bench.gpu;

import ai.djl.Device;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One family's update timed on one device: what was asked, the seconds per update, and where the
 * model's parameters were after the updates (so that a model left on the CPU is not taken for a GPU
 * timing).
 *
 * @param family the agent family and which update ({@code worldmodels-V}, {@code worldmodels-M})
 * @param preset the family's preset
 * @param batch the batch of one update, as the family counts it (e.g. {@code 16x32} sequences)
 * @param asked the device asked for, {@code cpu} or {@code gpu}
 * @param secondsPerUpdate wall seconds per update, after warm-up
 * @param updates timed updates
 * @param placedOn the devices that hold the model's parameters after the updates
 */
public record Timed(String family, String preset, String batch, String asked, double secondsPerUpdate, int updates,
        Set<Device> placedOn) {

    /** Whether every parameter lives on the device asked for. */
    public boolean ranWhereAsked() {
        Device want = asked.equals("gpu") ? Device.gpu() : Device.cpu();
        return placedOn.equals(Set.of(want));
    }

    /** The devices of every parameter of {@code blocks}. */
    public static Set<Device> devicesOf(Block... blocks) {
        Set<Device> out = new LinkedHashSet<>();
        for (Block b : blocks) {
            for (Parameter p : b.getParameters().values()) {
                out.add(p.getArray().getDevice());
            }
        }
        return out;
    }

    /** The devices, e.g. {@code cpu} or {@code gpu(0)}, joined by {@code +}. */
    public String placement() {
        return placedOn.stream().map(d -> d.isGpu() ? "gpu(" + d.getDeviceId() + ")" : d.getDeviceType())
                .collect(Collectors.joining("+"));
    }
}
