package io.outboxchaos.es;

/** Plugin version reported to Connect; keep in step with the pom's version. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}
