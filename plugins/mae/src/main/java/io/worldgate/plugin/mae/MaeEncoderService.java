package io.worldgate.plugin.mae;

import io.worldgate.api.agent.ServiceFailure;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.nn.ImageEncoder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the {@code mae} {@link ImageEncoder} service when the user names trained weights: the
 * framework (system) property {@value #WEIGHTS_PROPERTY} is an MAE checkpoint directory, a
 * learner run's directory (its newest sealed checkpoint is taken), or Hugging Face
 * {@code ViTMAEModel} weights (a directory with {@code config.json} and {@code model.safetensors},
 * or the {@code .safetensors} file with {@code config.json} beside it). Set it for the gateway's JVM,
 * e.g. {@code WORLDGATE_JAVA_OPTS=-Dworldgate.mae.weights=runs/RUN ./worldgate train ...}.
 *
 * <p>Why a property and registration by hand rather than a DS-provided service: the encoder's
 * sizes (its {@code imageSize} and {@code featureSize}) come from the weights, so there is no
 * encoder to offer without them. Unset, nothing is registered and an agent asking for
 * {@code encoder=mae} waits, as for any missing service. Set but unreadable (missing, not MAE
 * weights, damaged), a {@link ServiceFailure} with the path and the cause is registered instead:
 * the host fails a run that needs the encoder rather than have it wait for one that will not
 * come (an error in the log says the same). The weights are
 * read when the bundle starts: to use others, change the property and update (or redeploy) the
 * bundle; bound agents are checkpointed and bound again, as for any provider update.
 */
@Component(immediate = true)
public class MaeEncoderService {
    /** The framework property naming the weights. */
    public static final String WEIGHTS_PROPERTY = "worldgate.mae.weights";
    private static final Logger LOG = LoggerFactory.getLogger(MaeEncoderService.class);

    private MaeImageEncoder encoder;
    private ServiceRegistration<ImageEncoder> registration;
    private ServiceRegistration<ServiceFailure> failure;

    @Activate
    void activate(BundleContext context) {
        String weights = context.getProperty(WEIGHTS_PROPERTY);
        if (weights == null || weights.isBlank()) {
            LOG.info("mae: no image encoder offered; set -D{}=CHECKPOINT, LEARNER_RUN or HUGGING_FACE_DIR to offer one", WEIGHTS_PROPERTY);
            return;
        }
        try {
            if (!Files.exists(Path.of(weights))) {
                throw new NoSuchFileException(weights, null, "no such file or directory");
            }
            encoder = MaeImageEncoder.open(Path.of(weights), Devices.choose("auto"));
            Path path = encoder.source();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(ImageEncoder.SERVICE_NAME_PROPERTY, MaeLearnerFactory.NAME);
            registration = context.registerService(ImageEncoder.class, encoder, props);
            LOG.info("mae: image encoder of {} offered ({} features per image)", path, encoder.featureSize());
        } catch (Exception e) {
            close();
            String reason = "-D" + WEIGHTS_PROPERTY + "=" + weights + " cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
            LOG.error("mae: no image encoder offered: {}", reason);
            ServiceFailure failed = new ServiceFailure(ImageEncoder.class.getName(), MaeLearnerFactory.NAME, reason);
            failure = context.registerService(ServiceFailure.class, failed, failed.properties());
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }

    private void close() {
        if (failure != null) {
            try {
                failure.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
            failure = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
            registration = null;
        }
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
