// Per-scene reuse of media stages: the items (images, clips) of earlier outputs by the key
// of what each was made from. The newest item of a key wins.
import type { StageOutput } from './outputs.ts';

export function reusableBy<T extends { key?: string }>(earlier: readonly StageOutput[] | undefined, itemsOf: (output: StageOutput) => readonly T[]): Map<string, T> {
  const byKey = new Map<string, T>();
  for (const output of earlier ?? []) for (const item of itemsOf(output)) if (item.key && !byKey.has(item.key)) byKey.set(item.key, item);
  return byKey;
}
