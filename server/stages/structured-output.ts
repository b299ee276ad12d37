// Structured answers of text stages: the JSON schema the model must follow, and the check
// that what came back really follows it. A malformed answer fails the attempt (it may well
// come out right next time), it is never stored as an output.
import { ProviderError } from '../providers/provider-error.ts';

/** Names the field and the rule it broke, so a hand edit checked by the same rules can say so too. */
export class MalformedOutputError extends ProviderError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super('MALFORMED_OUTPUT', `The model's answer was not usable: ${field} ${rule}`, true);
  }
}

/** Parses a JSON answer, tolerating a markdown code fence around it. */
export function parseJsonAnswer(text: string): Record<string, unknown> {
  const trimmed = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    const value = JSON.parse(trimmed);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new MalformedOutputError('answer', 'is not a JSON object');
}

export function nonEmptyString(value: unknown, where: string, max = 4000): string {
  if (typeof value !== 'string' || value.trim() === '') throw new MalformedOutputError(where, 'must be a non-empty string');
  return value.trim().slice(0, max);
}

export function arrayOf(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedOutputError(where, 'must be a list');
  return value;
}
