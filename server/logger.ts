// Logging, one line per event (pino): JSON lines in production, for a log collector; a
// readable line in development. Every call site keeps `log(msg, err?)`; a third argument
// (or `childLog`) attaches fields, so every line of a task's life carries its id and
// attempt, and every line its process's role. Secrets never reach a line: fields named
// like credentials are redacted wherever they sit, and SQL text (which carries bound
// values) is cut out of database errors.
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream } from 'pino';

export type LogFields = Record<string, unknown>;

/** `err`: the error behind the line (it makes the line an error); `fields`: context such as taskId. */
export type Log = (msg: string, err?: unknown, fields?: LogFields) => void;

export interface LoggerOptions {
  /** Only lines with an error (tests). @default false */
  quiet?: boolean;
  /** JSON lines (pino's format) rather than readable ones. @default NODE_ENV === 'production' */
  json?: boolean;
  /** Where lines go. @default stderr, written synchronously (nothing is lost on process.exit) */
  destination?: { write(line: string): unknown };
}

/** Field names that hold secrets, redacted at the top level and one or two levels down. */
const SECRET_KEYS = ['authorization', 'Authorization', 'cookie', 'password', 'passwordHash', 'token', 'apiKey', 'api_key', 'secret', 'METRICS_TOKEN', 'OPENAI_API_KEY'];
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

// A statement text in a driver's error: knex (under MikroORM) prefixes the message with the
// query, its bound values inlined ("insert into … values ('me@example.com', …) - duplicate key").
const SQL_START = /^\s*(select|insert|update|delete|with|create|alter|drop|begin|commit|rollback|savepoint|release)\b/i;
/** Properties of driver errors that repeat the statement or the values in it. */
const SQL_PROPS = ['sql', 'query', 'parameters', 'params', 'bindings', 'detail', 'where'];

function withoutSql(message: string): string {
  if (!SQL_START.test(message)) return message;
  const cut = message.lastIndexOf(' - ');
  return `[statement withheld]${cut >= 0 ? message.slice(cut) : ''}`;
}

/** Messages of an error and its causes. */
function messages(err: unknown, seen = new Set<unknown>()): string[] {
  if (!(err instanceof Error) || seen.has(err)) return [];
  seen.add(err);
  return [err.message, ...messages(err.cause, seen)];
}

/** pino's error serializer, with SQL and bound values taken out (of causes too). */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err === undefined ? undefined : { message: String(err) };
  const out = stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const message of messages(err)) {
    const safe = withoutSql(message);
    if (safe === message) continue;
    for (const key of ['message', 'stack'] as const) {
      if (typeof out[key] === 'string') out[key] = (out[key] as string).split(message).join(safe);
    }
  }
  for (const prop of SQL_PROPS) delete out[prop];
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

const stderr = (): DestinationStream => pino.destination({ fd: 2, sync: true });

/** A readable line from pino's JSON: `time [role] msg key=value …` and the error's stack. */
function readable(target: { write(line: string): unknown }) {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return target.write(line);
      }
      const { time, role, msg, err, level: _level, pid: _pid, hostname: _host, ...fields } = entry;
      const pairs = Object.entries(fields)
        .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('');
      const e = err as { stack?: string; message?: string } | undefined;
      const detail = e ? ` ${e.stack ?? e.message ?? ''}` : '';
      return target.write(`${time} [${role}] ${msg}${pairs}${detail}\n`);
    },
  };
}

/** A logger whose every line names `role` (the process's role: all, api, worker, main…). */
export function createLogger(role: string, opts: LoggerOptions = {}): Log {
  const json = opts.json ?? process.env.NODE_ENV === 'production';
  const target = opts.destination ?? stderr();
  const logger = pino(
    {
      level: opts.quiet ? 'error' : 'info',
      base: { role },
      messageKey: 'msg',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    (json ? target : readable(target)) as DestinationStream,
  );
  return (msg, err, fields) => {
    if (err === undefined) logger.info({ ...fields }, msg);
    else logger.error({ ...fields, err }, msg);
  };
}

/** `log` with `fields` on every line (merged under the call's own fields). */
export function childLog(log: Log, fields: LogFields): Log {
  return (msg, err, more) => log(msg, err, { ...fields, ...more });
}
