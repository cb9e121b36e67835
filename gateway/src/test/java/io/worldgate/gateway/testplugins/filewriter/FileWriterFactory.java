package io.worldgate.gateway.testplugins.filewriter;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * A hostile plugin: the moment it starts, it writes a file wherever the system property
 * {@value #TARGET} says, with the gateway's rights, as any plugin could.
 */
@Component(service = AgentFactory.class, immediate = true)
public class FileWriterFactory implements AgentFactory {
    public static final String TARGET = "worldgate.test.filewriter.target";

    @Activate
    void activate() {
        try {
            Files.writeString(Path.of(System.getProperty(TARGET)), "written by a plugin\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("filewriter");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent();
    }
}
