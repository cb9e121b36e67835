package io.worldgate.gateway.host.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeployDiagnosisTest {

    @Test
    void anActivationFailureNamesItsRootCause() {
        String trace = """
                java.lang.ExceptionInInitializerError
                \tat com.example.Factory.<clinit>(Factory.java:12)
                Caused by: java.lang.RuntimeException: wrapper
                \tat com.example.Presets.load(Presets.java:3)
                Caused by: java.lang.IllegalStateException: preset resource presets/fast.properties is missing
                \tat io.worldgate.api.agent.ConfigPresets.load(ConfigPresets.java:34)
                """;
        assertThat(DeployDiagnosis.rootCause(trace)).isEqualTo("java.lang.ExceptionInInitializerError (caused by "
                + "java.lang.IllegalStateException: preset resource presets/fast.properties is missing)");
    }

    @Test
    void aFailureWithoutCauseIsItsFirstLine() {
        assertThat(DeployDiagnosis.rootCause("java.lang.IllegalStateException: license key missing\n\tat x.y(Z.java:1)\n"))
                .isEqualTo("java.lang.IllegalStateException: license key missing");
    }
}
