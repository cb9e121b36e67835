package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The fixed columns of one stored step: every observation, the action, the reward, flags, the
 * episode id and the append tick. A chunk stores each column contiguously for all its steps.
 */
final class StepLayout {
    /** Flag bit: first step of an episode, or of a stored fragment (see {@link #FRAGMENT}). */
    static final int FIRST = 1;
    /** Flag bit: the episode terminated at this step (not set for truncation). */
    static final int TERMINAL = 2;
    /** Flag bit: the episode ended at this step, terminated or truncated. */
    static final int LAST = 4;
    /**
     * Flag bit, only with {@link #FIRST}: the previous stored step of this environment is not this
     * step's predecessor (the store was reopened and lost unwritten steps), so the episode that
     * starts here is a fragment, not a whole episode.
     */
    static final int FRAGMENT = 8;

    static final String REWARD = "reward";
    static final String FLAGS = "flags";
    static final String EPISODE = "episode";
    static final String TICK = "tick";
    static final String ACTION = "action";
    static final String OBS_PREFIX = "obs.";

    /** One column: a name, the element type and the shape of one step's value. */
    record Column(String name, DType dtype, int[] shape, int stepBytes) {
        String describe() {
            StringBuilder s = new StringBuilder(name).append('=').append(dtype).append('[');
            for (int i = 0; i < shape.length; i++) {
                s.append(i == 0 ? "" : ",").append(shape[i]);
            }
            return s.append(']').toString();
        }
    }

    private final List<Column> columns;
    private final Map<String, Integer> observationColumns;
    private final int actionColumn;
    private final int rewardColumn;
    private final int flagsColumn;
    private final int episodeColumn;
    private final int tickColumn;
    private final int stepBytes;
    private final String description;
    private final long hash;

    private StepLayout(List<Column> columns) {
        this.columns = List.copyOf(columns);
        Map<String, Integer> obs = new TreeMap<>();
        int action = -1;
        int reward = -1;
        int flags = -1;
        int episode = -1;
        int tick = -1;
        int bytes = 0;
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            bytes += c.stepBytes();
            d.append(c.describe()).append('\n');
            if (c.name().startsWith(OBS_PREFIX)) {
                obs.put(c.name().substring(OBS_PREFIX.length()), i);
            }
            switch (c.name()) {
                case ACTION -> action = i;
                case REWARD -> reward = i;
                case FLAGS -> flags = i;
                case EPISODE -> episode = i;
                case TICK -> tick = i;
                default -> { }
            }
        }
        this.observationColumns = Collections.unmodifiableMap(obs);
        this.actionColumn = action;
        this.rewardColumn = reward;
        this.flagsColumn = flags;
        this.episodeColumn = episode;
        this.tickColumn = tick;
        this.stepBytes = bytes;
        this.description = d.toString();
        CRC32C crc = new CRC32C();
        byte[] text = description.getBytes(StandardCharsets.UTF_8);
        crc.update(text);
        long h = crc.getValue();
        // A second, different checksum over the same text widens the id to 64 bits.
        CRC32C crc2 = new CRC32C();
        crc2.update(new byte[] {(byte) 0x5a});
        crc2.update(text);
        this.hash = (h << 32) | crc2.getValue();
    }

    /** The layout for an environment's observations and actions; observation columns sorted by name. */
    static StepLayout of(EnvSpec spec) {
        List<Column> cols = new ArrayList<>();
        // Small fixed-size columns first, so that their offsets in a chunk stay aligned.
        cols.add(column(TICK, DType.INT64));
        cols.add(column(EPISODE, DType.INT64));
        cols.add(column(REWARD, DType.FLOAT32));
        cols.add(column(FLAGS, DType.UINT8));
        TensorSpec action = spec.actionSpace().tensorSpec();
        cols.add(column(ACTION, action.dtype(), action.shape()));
        new TreeMap<>(spec.observationSpace().spaces()).forEach((name, space) -> {
            TensorSpec t = space.tensorSpec();
            cols.add(column(OBS_PREFIX + name, t.dtype(), t.shape()));
        });
        return new StepLayout(cols);
    }

    private static Column column(String name, DType dtype, int... shape) {
        long bytes = io.worldgate.api.tensor.Tensor.numElements(shape) * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("column " + name + " of " + bytes + " bytes per step is too large");
        }
        return new Column(name, dtype, shape.clone(), (int) bytes);
    }

    List<Column> columns() {
        return columns;
    }

    Column column(int index) {
        return columns.get(index);
    }

    int numColumns() {
        return columns.size();
    }

    /** Column index of each observation, by observation name. */
    Map<String, Integer> observationColumns() {
        return observationColumns;
    }

    int actionColumn() {
        return actionColumn;
    }

    int rewardColumn() {
        return rewardColumn;
    }

    int flagsColumn() {
        return flagsColumn;
    }

    int episodeColumn() {
        return episodeColumn;
    }

    int tickColumn() {
        return tickColumn;
    }

    /** Bytes of one step over all columns (without alignment padding). */
    int stepBytes() {
        return stepBytes;
    }

    /** One line per column, {@code name=DTYPE[shape]}; stored beside the chunks. */
    String description() {
        return description;
    }

    /** A 64-bit id of {@link #description()}, written into every chunk header. */
    long hash() {
        return hash;
    }
}
