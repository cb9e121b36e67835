package io.worldgate.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Chooses the DJL device an agent trains on. */
public final class Devices {
    private Devices() {}

    /**
     * The device for a user's choice: {@code cpu}; {@code gpu} (fails if DJL sees none); or
     * {@code auto}, the first GPU when DJL sees one, else the CPU.
     *
     * @throws IllegalArgumentException for another choice, or {@code gpu} without a GPU
     */
    public static Device choose(String choice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        return switch (c) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu was asked for, but DJL's "
                            + Engine.getInstance().getEngineName() + " engine sees no GPU (a CUDA libtorch is needed;"
                            + " see PYTORCH_LIBRARY_PATH in the README)");
                }
                yield Device.gpu();
            }
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("device must be auto, cpu or gpu, not '" + choice + "'");
        };
    }
}
