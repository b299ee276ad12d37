// Content hashes of JSON values: equal values hash equally whatever their key order, so a
// version's output, an idempotent request and a stage's effective input compare by content.
import { createHash } from 'node:crypto';

/** JSON with sorted keys, so equal inputs hash equally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const hashOf = (value: unknown): string => createHash('sha256').update(canonical(value)).digest('hex');
