import { InvalidArgumentError } from 'commander';

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value.toLowerCase());
  if (!found) throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}; got "${value}"`);
  return found;
}
