/** A flag value the CLI cannot use: printed to stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value.toLowerCase());
  if (!found) throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got "${value}"`);
  return found;
}
