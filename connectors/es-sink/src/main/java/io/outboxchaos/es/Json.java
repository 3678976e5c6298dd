package io.outboxchaos.es;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

final class Json {
    private Json() {
    }

    static ObjectMapper newMapper() {
        return JsonMapper.builder()
                // Decimals are written as they arrived: 100 not 1E+2 (trailing zeros: see RecordConverter).
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
    }
}
