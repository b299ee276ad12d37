// Plain structured-enough logging to stderr; tests pass a quiet one.
export type Log = (msg: string, err?: unknown) => void;

export function createLogger(name: string, opts: { quiet?: boolean } = {}): Log {
  return (msg, err) => {
    if (opts.quiet && !err) return;
    const detail = err instanceof Error ? ` ${err.stack ?? err.message}` : err !== undefined ? ` ${String(err)}` : '';
    process.stderr.write(`${new Date().toISOString()} [${name}] ${msg}${detail}\n`);
  };
}
