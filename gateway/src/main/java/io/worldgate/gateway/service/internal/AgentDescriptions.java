package io.worldgate.gateway.service.internal;

import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.service.AgentLookup;
import io.worldgate.proto.service.v1.AgentDescription;
import io.worldgate.proto.service.v1.ConfigKeyInfo;
import io.worldgate.proto.service.v1.Preset;

/** An agent's descriptor as the API's {@link AgentDescription}. */
final class AgentDescriptions {
    private AgentDescriptions() {}

    /**
     * @param selector {@code name} (the highest deployed version) or {@code name@version}
     * @throws io.worldgate.gateway.service.NotFoundException if no deployed plugin offers it
     */
    static AgentDescription describe(PluginHost host, String selector) {
        FactoryHandle handle = AgentLookup.find(host, selector);
        AgentDescriptor d = handle.factory().descriptor();
        AgentDescription.Builder b = AgentDescription.newBuilder().setAgent(handle.label()).setDescription(d.description())
                .setDefaultTrainRatio(d.defaultTrainRatio()).setTrainingCadence(d.cadence().name())
                .addAllObservationKeys(d.observationKeys().stream().sorted().toList())
                .addAllActionKinds(d.actionKinds().stream().map(Enum::name).sorted().toList());
        if (d.defaultPreset() != null) {
            b.setDefaultPreset(d.defaultPreset());
        }
        for (ConfigKey k : d.configKeys()) {
            ConfigKeyInfo.Builder key = ConfigKeyInfo.newBuilder().setName(k.name()).setType(k.type().name())
                    .setDefaultValue(k.defaultValue()).setDescription(k.description()).addAllChoices(k.choices());
            if (k.min() != null) {
                key.setMin(k.min());
            }
            if (k.max() != null) {
                key.setMax(k.max());
            }
            b.addConfigKeys(key);
        }
        d.presets().forEach((preset, values) -> b.putPresets(preset, Preset.newBuilder().putAllValues(values).build()));
        return b.build();
    }
}
