package io.worldgate.gateway.testplugins.svcranked;

import io.worldgate.gateway.testplugins.svcprovider.ProbeEncoder;
import io.worldgate.runtime.nn.ImageEncoder;
import org.osgi.service.component.annotations.Component;

/** The {@code probe} encoder again, ranked above the plain one. */
@Component(service = ImageEncoder.class, property = {ImageEncoder.SERVICE_NAME_PROPERTY + "=probe", "service.ranking:Integer=10"})
public class RankedProbeEncoder extends ProbeEncoder {}
