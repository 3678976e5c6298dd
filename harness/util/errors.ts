/**
 * Errors the CLI turns into an exit code and a message that names the cause and the fix.
 * Exit codes: 0 converged within budget, 1 verdict failed, 2 bad usage or config, 3 environment failure,
 * 4 (run only) nothing failed but a scenario was skipped.
 */
export class HarnessError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3,
    readonly fix?: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user's input is wrong: a flag, a scenario file, a connector file. */
export class ConfigError extends HarnessError {
  constructor(message: string, fix?: string, details?: string) {
    super(message, 2, fix, details);
  }
}

/** The machine or a service is wrong: a port taken, no JDK, a registry unreachable, a service that won't start. */
export class EnvError extends HarnessError {
  constructor(message: string, fix?: string, details?: string) {
    super(message, 3, fix, details);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
