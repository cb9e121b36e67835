package io.worldgate.gateway.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunScalarsTest {

    @Test
    void anEnvironmentsNumberCannotPassForTheEvaluationsOwnTags() {
        assertThat(RunScalars.evalInfo("success")).isEqualTo("eval/success");
        assertThat(RunScalars.evalInfo("return")).isNotEqualTo(RunScalars.EVAL_RETURN).isEqualTo("eval/env_return");
        assertThat(RunScalars.evalInfo("video")).isNotEqualTo(RunScalars.EVAL_VIDEO).isEqualTo("eval/env_video");
    }
}
