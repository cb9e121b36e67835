package io.worldgate.runtime.optim;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Selecting the parameters an optimizer or target network works on. */
public final class Parameters {
    private Parameters() {}

    /**
     * The initialised parameters of {@code blocks} that require gradients, in block order, each
     * once (a block shared by two arguments is not counted twice).
     *
     * @throws IllegalStateException if a block is not initialised
     */
    public static List<Parameter> trainable(Block... blocks) {
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Parameter> out = new ArrayList<>();
        for (Block b : blocks) {
            for (Parameter p : all(b)) {
                if (p.requiresGradient() && seen.add(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * All parameters of {@code block}, in its order.
     *
     * @throws IllegalStateException if the block is not initialised
     */
    public static List<Parameter> all(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (!p.isInitialized()) {
                throw new IllegalStateException("parameter '" + p.getName() + "' of " + block.getClass().getSimpleName()
                        + " is not initialised; call block.initialize(manager, FLOAT32, inputShapes) first");
            }
            out.add(p);
        }
        return out;
    }
}
