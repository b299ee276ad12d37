// The run's one table on stdout, and the same as JSON in bench/results/ (or BENCH_OUT).
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROWS, type RowResult } from './rows.ts';
import type { Mode, Sizes } from './sizes.ts';

export function fmt(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function printTable(rows: RowResult[]): void {
  const ordered = ROWS.map((spec) => rows.find((r) => r.id === spec.id)).filter((r): r is RowResult => !!r);
  const lines = ordered.map((r) => [
    `${r.figure} (${r.unit})`,
    fmt(r.ours),
    r.raw === null ? '–' : `${fmt(r.raw)} (${r.rawName})`,
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.meets === null ? '' : r.meets ? 'yes' : 'NO',
  ]);
  const header = ['figure (unit)', 'ours', 'raw baseline, same run', 'ours/raw', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const l of lines) console.log(line(l));
  const notes = ordered.filter((r) => r.note);
  if (notes.length) {
    console.log('\nnotes:');
    for (const r of notes) console.log(`  ${r.id}: ${r.note}`);
  }
}

export function writeResults(rows: RowResult[], meta: { mode: Mode; startedAt: Date; seconds: number; sizes: Sizes }, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const doc = {
    date: meta.startedAt.toISOString(),
    mode: meta.mode,
    seconds: Math.round(meta.seconds),
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
    sizes: meta.sizes,
    rows: ROWS.map((spec) => rows.find((r) => r.id === spec.id)).filter((r) => r !== undefined),
  };
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const file = join(dir, `${meta.startedAt.toISOString().replace(/[:.]/g, '-')}${meta.mode === 'full' ? '' : `-${meta.mode}`}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
