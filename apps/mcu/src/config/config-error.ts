/** One environment variable whose value cannot be used. */
export interface ConfigProblem {
  /** The variable's name, e.g. `MCU_HTTP_PORT`. */
  readonly variable: string;
  /** What is wrong and what is expected, e.g. `must be an integer 0–65535 (got "http")`. */
  readonly message: string;
}

/**
 * Thrown by `loadConfig()` when at least one variable is invalid. `problems` names every bad
 * variable (not only the first), so one start attempt reports everything to fix.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
