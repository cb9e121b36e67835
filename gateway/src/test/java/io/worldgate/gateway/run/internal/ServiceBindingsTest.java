package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.ServiceUnavailableException;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.AgentCreation;
import io.worldgate.gateway.run.CheckpointEvaluation;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.util.Map;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/** Which service an agent is bound to, on a real Felix, and that it is given back. */
class ServiceBindingsTest {

    private static ServiceRegistration<Supplier> register(BundleContext ctx, String name, String value, Integer ranking) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ServiceBindings.SERVICE_NAME_PROPERTY, name);
        if (ranking != null) {
            props.put(Constants.SERVICE_RANKING, ranking);
        }
        return ctx.registerService(Supplier.class, () -> value, props);
    }

    private static Object value(Optional<Supplier> s) {
        return s.orElseThrow().get();
    }

    @Test
    void theHighestRankingWinsThenTheOldestRegistration(@TempDir Path tmp) {
        try (HostFixture f = new HostFixture(tmp)) {
            BundleContext ctx = f.host.bundleContext();
            register(ctx, "enc", "plain", null);
            register(ctx, "enc", "low", -5);
            register(ctx, "enc", "high", 10);
            register(ctx, "enc", "high but newer", 10);
            register(ctx, "other", "other", 100);
            AgentContext context = AgentCreation.context(null, Optional.empty(), null, tmp, 0, "cpu", ctx);
            assertThat(value(context.service(Supplier.class, "enc"))).isEqualTo("high");
            assertThat(context.service(Supplier.class, "none")).isEmpty();
            Assertions.assertThatThrownBy(() -> context.requireService(Supplier.class, "none"))
                    .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> {
                        assertThat(e.serviceType()).isEqualTo(Supplier.class.getName());
                        assertThat(e.serviceName()).isEqualTo("none");
                    });
        }
    }

    @Test
    void everyServiceHandedOutIsGivenBackOnRelease(@TempDir Path tmp) {
        try (HostFixture f = new HostFixture(tmp)) {
            BundleContext ctx = f.host.bundleContext();
            ServiceRegistration<Supplier> a = register(ctx, "a", "A", null);
            ServiceRegistration<Supplier> b = register(ctx, "b", "B", null);
            List<ServiceBindings.Binding> told = new ArrayList<>();
            ServiceBindings bindings = new ServiceBindings(ctx, id -> false, told::add);
            assertThat(value(bindings.get(Supplier.class, "a"))).isEqualTo("A");
            assertThat(value(bindings.get(Supplier.class, "a"))).isEqualTo("A"); // bound once, not got twice
            assertThat(value(bindings.get(Supplier.class, "b"))).isEqualTo("B");
            assertThat(told).extracting(t -> t.key().name()).containsExactly("a", "b");
            assertThat(told.get(0).provider()).isEqualTo(ctx.getBundle().getSymbolicName());
            assertThat(a.getReference().getUsingBundles()).containsExactly(ctx.getBundle());

            bindings.release();
            assertThat(a.getReference().getUsingBundles()).isNull();
            assertThat(b.getReference().getUsingBundles()).isNull();
            assertThat(bindings.get(Supplier.class, "a")).isEmpty(); // the agent is closed
        }
    }

    @Test
    void aCheckpointEvaluationGivesBackTheServicesItsAgentGot(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp);
                VectorEnv env = EnvRegistry.withBuiltins().create("java:CartPole", 1, Map.of())) {
            BundleContext ctx = f.host.bundleContext();
            ServiceRegistration<Supplier> probe = register(ctx, "probe", "P", null);
            AgentFactory binding = new AgentFactory() {
                @Override
                public AgentDescriptor descriptor() {
                    return TestAgent.descriptor("binder");
                }

                @Override
                public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
                    context.requireService(Supplier.class, "probe");
                    return new TestAgent();
                }
            };
            FactoryHandle h = new FactoryHandle("binder", 0, "test", "1.0.0", -1, binding);
            CheckpointEvaluation.play(h, null, Map.of(), env, tmp, 1, 3, "cpu", tmp, ctx);
            assertThat(probe.getReference().getUsingBundles()).isNull();
        }
    }

    @Test
    void aRegistrationThatWouldServeTheAgentBetterIsNoticed(@TempDir Path tmp) {
        try (HostFixture f = new HostFixture(tmp)) {
            BundleContext ctx = f.host.bundleContext();
            register(ctx, "enc", "first", 1);
            ServiceBindings bindings = ServiceBindings.of(ctx);
            assertThat(value(bindings.get(Supplier.class, "enc"))).isEqualTo("first");
            assertThat(bindings.get(Supplier.class, "later")).isEmpty();

            ServiceReference<Supplier> lower = register(ctx, "enc", "lower", 0).getReference();
            ServiceReference<Supplier> higher = register(ctx, "enc", "higher", 2).getReference();
            ServiceReference<Supplier> came = register(ctx, "later", "came", null).getReference();
            ServiceReference<Supplier> unrelated = register(ctx, "unrelated", "x", 50).getReference();
            assertThat(bindings.improvedBy(lower)).isEmpty();
            assertThat(bindings.improvedBy(higher)).contains(new ServiceBindings.Key(Supplier.class.getName(), "enc"));
            assertThat(bindings.improvedBy(came)).contains(new ServiceBindings.Key(Supplier.class.getName(), "later"));
            assertThat(bindings.improvedBy(unrelated)).isEmpty();
        }
    }

    @Test
    void aServiceBeingUnregisteredIsNotBound(@TempDir Path tmp) {
        try (HostFixture f = new HostFixture(tmp)) {
            BundleContext ctx = f.host.bundleContext();
            ServiceRegistration<Supplier> going = register(ctx, "enc", "going", 5);
            register(ctx, "enc", "staying", 0);
            long goingId = ServiceBindings.serviceId(going.getReference());
            ServiceBindings bindings = new ServiceBindings(ctx, id -> id == goingId, b -> {});
            assertThat(value(bindings.get(Supplier.class, "enc"))).isEqualTo("staying");
        }
    }
}
