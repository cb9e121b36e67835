package io.worldgate.gateway.testplugins.imagelearner;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * A learner that reports as MAE's pre-training will: on every update an image (uint8 [8, 8, 3],
 * its update number in every pixel) to its metrics sink, beside the loss it returns.
 */
@Component(service = LearnerFactory.class)
public class ImageLearnerFactory implements LearnerFactory {
    @Override
    public LearnerDescriptor descriptor() {
        return new LearnerDescriptor("image-learner", "reports an image per update", Set.of(), List.of());
    }

    @Override
    public Learner create(LearnerContext context, AgentConfig config) {
        return new Learner() {
            private int updates;

            @Override
            public Map<String, Double> update() {
                updates++;
                Tensor image = Tensor.allocate(DType.UINT8, 8, 8, 3);
                for (int i = 0; i < 8 * 8 * 3; i++) {
                    image.setDouble(i, updates % 256);
                }
                context.metrics().image("recon/sample", image);
                return Map.of("loss/reconstruction", 1.0 / updates);
            }

            @Override
            public void save(Path directory) throws IOException {
                Files.writeString(directory.resolve("updates.txt"), Integer.toString(updates));
            }

            @Override
            public void load(Path directory) throws IOException {
                updates = Integer.parseInt(Files.readString(directory.resolve("updates.txt")).trim());
            }

            @Override
            public void close() {}
        };
    }
}
