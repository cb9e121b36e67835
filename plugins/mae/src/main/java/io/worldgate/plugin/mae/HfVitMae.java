package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.io.JsonFiles;
import io.worldgate.runtime.io.SafeTensors;
import io.worldgate.runtime.optim.NoGradient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The encoder weights of a Hugging Face {@code ViTMAEModel} (or {@code ViTMAEForPreTraining}, whose
 * names start with {@code vit.}) as {@code save_pretrained} writes them: {@value #CONFIG} with the
 * sizes and {@value #WEIGHTS}, loaded into a {@link MaeModel} without torch. The layout differs
 * from ours in three places, mapped here:
 *
 * <ul>
 *   <li>the patch embedding is a convolution {@code [D, C, p, p]}; ours a linear map of patches
 *       flattened as (row, column, channel), so the kernel is permuted to {@code [D, p, p, C]};
 *   <li>query, key and value are three linear layers; ours one {@code qkv} of their rows stacked in
 *       that order;
 *   <li>the position embeddings are stored ({@code [1, 1 + N, D]}, the class token's first): the
 *       class token's row is added to the class token, and the patches' rows must be the fixed 2-D
 *       sin-cos embeddings ours computes ({@link PositionEmbedding}, to 1e-4), else the file is
 *       refused (an interpolated or learnt table is not this architecture).
 * </ul>
 *
 * The LayerNorms' ε is the config's {@code layer_norm_eps} (1e-12 by default). The decoder is not
 * read ({@code ViTMAEModel} has none): it keeps its fresh initialisation, sized by the config's
 * {@code decoder_*}. Inputs are the frame scaled to [0, 1], as for our own MAE: a model trained on
 * ImageNet-normalised pixels sees other statistics.
 */
final class HfVitMae {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    private static final float POSITION_TOLERANCE = 1e-4f;

    private HfVitMae() {}

    /** The weights and config that {@code path} names. */
    record Source(Path config, Path weights) {}

    /**
     * The config and weights {@code path} names: a directory holding {@value #CONFIG} and
     * {@value #WEIGHTS}, or a {@code .safetensors} file with {@value #CONFIG} beside it; empty when
     * it names neither.
     */
    static Optional<Source> locate(Path path) {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path weights = Files.isDirectory(path) ? path.resolve(WEIGHTS) : path;
        if (dir == null || !weights.getFileName().toString().endsWith(".safetensors") || !Files.isRegularFile(weights)
                || !Files.isRegularFile(dir.resolve(CONFIG))) {
            return Optional.empty();
        }
        return Optional.of(new Source(dir.resolve(CONFIG), weights));
    }

    /** The sizes that a {@code ViTMAEConfig} gives. */
    static MaeSizes sizes(Path config) throws IOException, IncompatibleCheckpointException {
        Map<String, Object> c = JsonFiles.readObject(config);
        if (!"vit_mae".equals(c.get("model_type"))) {
            throw new IncompatibleCheckpointException(config + " is not a ViT-MAE config (model_type "
                    + c.get("model_type") + ")");
        }
        int[] image = pair(c.getOrDefault("image_size", 224.0), config, "image_size");
        int[] patch = pair(c.getOrDefault("patch_size", 16.0), config, "patch_size");
        if (patch[0] != patch[1]) {
            throw new IncompatibleCheckpointException(config + ": patches of " + patch[0] + "x" + patch[1]
                    + " are not square");
        }
        int dim = num(c, "hidden_size", 768, config);
        if (num(c, "intermediate_size", 3072, config) != MaeSizes.MLP_RATIO * dim
                || num(c, "decoder_intermediate_size", 2048, config) != MaeSizes.MLP_RATIO
                        * num(c, "decoder_hidden_size", 512, config)) {
            throw new IncompatibleCheckpointException(config + ": the MLPs must be " + MaeSizes.MLP_RATIO
                    + " times as wide as the blocks (intermediate_size, decoder_intermediate_size)");
        }
        if (!"gelu".equals(c.getOrDefault("hidden_act", "gelu"))) {
            throw new IncompatibleCheckpointException(config + ": hidden_act " + c.get("hidden_act")
                    + " is not gelu");
        }
        try {
            return new MaeSizes(image[0], image[1], num(c, "num_channels", 3, config), patch[0], dim,
                    num(c, "num_hidden_layers", 12, config), num(c, "num_attention_heads", 12, config),
                    num(c, "decoder_hidden_size", 512, config), num(c, "decoder_num_hidden_layers", 8, config),
                    num(c, "decoder_num_attention_heads", 16, config),
                    (float) ((Number) c.getOrDefault("layer_norm_eps", 1e-12)).doubleValue());
        } catch (IllegalArgumentException e) {
            throw new IncompatibleCheckpointException(config + ": " + e.getMessage());
        }
    }

    /**
     * The config's {@code mask_ratio}, the ratio fine-tuning and online training mask at (inference
     * never masks here). A model saved after {@code mask_ratio=0} was set for inference, as users of
     * Hugging Face's ViTMAE must do, stores 0: that says nothing about training, so the MAE's 0.75
     * applies then.
     */
    static double maskRatio(Path config) throws IOException {
        Object v = JsonFiles.readObject(config).getOrDefault("mask_ratio", MaeImageEncoder.DEFAULT_MASK_RATIO);
        double ratio = ((Number) v).doubleValue();
        return ratio > 0 ? ratio : MaeImageEncoder.DEFAULT_MASK_RATIO;
    }

    /** The config's {@code norm_pix_loss}. */
    static boolean normPixLoss(Path config) throws IOException {
        return Boolean.TRUE.equals(JsonFiles.readObject(config).getOrDefault("norm_pix_loss", false));
    }

    private static int[] pair(Object v, Path config, String key) throws IncompatibleCheckpointException {
        if (v instanceof Number n) {
            return new int[] {n.intValue(), n.intValue()};
        }
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number a && l.get(1) instanceof Number b) {
            return new int[] {a.intValue(), b.intValue()};
        }
        throw new IncompatibleCheckpointException(config + ": " + key + " is neither a number nor a pair: " + v);
    }

    private static int num(Map<String, Object> c, String key, int fallback, Path config)
            throws IncompatibleCheckpointException {
        Object v = c.getOrDefault(key, (double) fallback);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IncompatibleCheckpointException(config + ": " + key + " is not a whole number: " + v);
        }
        return n.intValue();
    }

    /**
     * Copies the encoder weights of {@code weights} into {@code model} (initialised, of the sizes
     * {@link #sizes} gave), checking every shape first.
     */
    static void load(MaeModel model, Path weights) throws IOException, IncompatibleCheckpointException {
        MaeSizes s = model.sizes();
        try (NDManager scratch = NDManager.newBaseManager(model.patchEmbed().getParameters().get("weight").getArray()
                .getDevice()); NoGradient off = NoGradient.open()) {
            Map<String, NDArray> file = SafeTensors.read(weights, scratch);
            String prefix = file.containsKey("vit.embeddings.cls_token") ? "vit." : "";
            Tensors t = new Tensors(file, prefix, weights);
            int d = s.dim();
            int p = s.patch();
            NDArray conv = t.get("embeddings.patch_embeddings.projection.weight", d, s.channels(), p, p);
            NDArray positions = t.get("embeddings.position_embeddings", 1, s.patches() + 1, d);
            NDArray expected = scratch.create(PositionEmbedding.sinCos2d(d, s.gridHeight(), s.gridWidth()),
                    new Shape(1, s.patches(), d));
            float gap = positions.get(":, 1:").sub(expected).abs().max().getFloat();
            if (gap > POSITION_TOLERANCE) {
                throw new IncompatibleCheckpointException(weights + ": its position embeddings differ from the fixed 2-D"
                        + " sin-cos ones by up to " + gap + " (interpolated or learnt ones are not supported)");
            }
            set(model.patchEmbed(), "weight", conv.transpose(0, 2, 3, 1).reshape(d, (long) p * p * s.channels()));
            set(model.patchEmbed(), "bias", t.get("embeddings.patch_embeddings.projection.bias", d));
            set(model.classToken(), "token", t.get("embeddings.cls_token", 1, 1, d).add(positions.get(":, :1")));
            for (int i = 0; i < s.depth(); i++) {
                String l = "encoder.layer." + i + ".";
                Block[] b = model.encoderBlocks().get(i).layers(); // norm1, qkv, proj, norm2, fc1, fc2
                String a = l + "attention.attention.";
                setNorm(b[0], t, l + "layernorm_before", d);
                set(b[1], "weight", NDArrays.concat(new NDList(t.get(a + "query.weight", d, d),
                        t.get(a + "key.weight", d, d), t.get(a + "value.weight", d, d)), 0));
                set(b[1], "bias", NDArrays.concat(new NDList(t.bias(a + "query.bias", d),
                        t.bias(a + "key.bias", d), t.bias(a + "value.bias", d)), 0));
                set(b[2], "weight", t.get(l + "attention.output.dense.weight", d, d));
                set(b[2], "bias", t.get(l + "attention.output.dense.bias", d));
                setNorm(b[3], t, l + "layernorm_after", d);
                set(b[4], "weight", t.get(l + "intermediate.dense.weight", MaeSizes.MLP_RATIO * d, d));
                set(b[4], "bias", t.get(l + "intermediate.dense.bias", MaeSizes.MLP_RATIO * d));
                set(b[5], "weight", t.get(l + "output.dense.weight", d, MaeSizes.MLP_RATIO * d));
                set(b[5], "bias", t.get(l + "output.dense.bias", d));
            }
            if (t.has("encoder.layer." + s.depth() + ".layernorm_before.weight")) {
                throw new IncompatibleCheckpointException(weights + " has more encoder layers than num_hidden_layers "
                        + s.depth());
            }
            setNorm(model.encoderNorm(), t, "layernorm", d);
        }
    }

    private static void setNorm(Block norm, Tensors t, String name, int d) throws IncompatibleCheckpointException {
        set(norm, "gamma", t.get(name + ".weight", d));
        set(norm, "beta", t.get(name + ".bias", d));
    }

    private static void set(Block block, String name, NDArray value) throws IncompatibleCheckpointException {
        Parameter param = block.getParameters().get(name);
        NDArray target = param.getArray();
        if (!target.getShape().equals(value.getShape())) {
            throw new IncompatibleCheckpointException("parameter " + name + " " + target.getShape() + " cannot take "
                    + value.getShape());
        }
        target.set(new NDIndex("..."), value.toDevice(target.getDevice(), false));
    }

    /** The file's tensors by their names without the prefix, with their shapes checked. */
    private record Tensors(Map<String, NDArray> all, String prefix, Path file) {
        boolean has(String name) {
            return all.containsKey(prefix + name);
        }

        NDArray get(String name, long... shape) throws IncompatibleCheckpointException {
            NDArray a = all.get(prefix + name);
            if (a == null) {
                throw new IncompatibleCheckpointException(file + " lacks the tensor '" + prefix + name
                        + "' of a ViTMAEModel");
            }
            if (!a.getShape().equals(new Shape(shape))) {
                throw new IncompatibleCheckpointException(file + ": tensor '" + prefix + name + "' is " + a.getShape()
                        + ", its config makes it " + new Shape(shape));
            }
            return a;
        }

        /** A bias that is absent when the config has {@code qkv_bias=false}: zeros then. */
        NDArray bias(String name, long size) throws IncompatibleCheckpointException {
            return has(name) ? get(name, size) : all.values().iterator().next().getManager().zeros(new Shape(size));
        }
    }
}
