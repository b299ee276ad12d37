// Rules for a stage's `input` JSON. Every refusal names the field and the rule.
import { BadInputError, longerThan } from '../errors.ts';

export type RawInput = Record<string, unknown>;

/** `input` must be an object whose keys are all options of the stage. */
export function objectWithKeys(raw: unknown, stage: string, allowed: readonly string[]): RawInput {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadInputError('input', `must be a JSON object with the options of ${stage} (${allowed.join(', ') || 'none'})`);
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new BadInputError(`input.${key}`, `is not an option of ${stage}; its options are ${allowed.join(', ') || 'none'}`);
    }
  }
  return raw as RawInput;
}

export function optionalString(input: RawInput, key: string, opts: { max: number; nonEmpty?: boolean }): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadInputError(`input.${key}`, 'must be a string');
  if (opts.nonEmpty && value.trim().length === 0) throw new BadInputError(`input.${key}`, 'must not be empty');
  if (longerThan(value, opts.max)) throw new BadInputError(`input.${key}`, `must be at most ${opts.max.toLocaleString('en')} characters`);
  return value;
}

export function optionalInt(input: RawInput, key: string, opts: { min: number; max: number; fallback: number }): number {
  const value = input[key];
  if (value === undefined || value === null) return opts.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < opts.min || value > opts.max) {
    throw new BadInputError(`input.${key}`, `must be an integer from ${opts.min} to ${opts.max}`);
  }
  return value;
}

export function optionalOneOf<T extends string | number>(input: RawInput, key: string, values: readonly T[], fallback: T): T {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (!values.includes(value as T)) {
    throw new BadInputError(`input.${key}`, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return value as T;
}
