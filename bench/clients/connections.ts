// One subscription per connection, four ways: ours over graphql-ws and over SSE (yoga's
// "distinct connections" mode), and the raw baselines over plain WebSocket and plain SSE.
// A lean protocol client rather than graphql-ws's `createClient`, so the client does the
// same work per message on every path: one JSON.parse, then the recorder.
import { request } from 'node:http';
import WebSocket from 'ws';
import type { Recorder, SubState } from './recorder.ts';

export type Kind = 'gql-ws' | 'gql-sse' | 'raw-ws' | 'raw-sse';

export interface SubSpec {
  /** Ours: the bearer token, the subscription and its variables. */
  token?: string;
  query?: string;
  variables?: Record<string, unknown>;
  /** Raw: the path on the raw server, e.g. `/ws?channel=…` or `/sse?channel=…`. */
  path?: string;
}

export interface Conn {
  close(): Promise<void>;
}

type Event = Record<string, unknown>;
const firstValue = (data: unknown): Event | undefined => {
  if (!data || typeof data !== 'object') return undefined;
  for (const key in data) return (data as Record<string, Event>)[key];
  return undefined;
};

function openWs(url: string, protocol: string | undefined, onOpen: (ws: WebSocket) => void, onMessage: (ws: WebSocket, text: string) => void, fail: (msg: string) => void): Conn {
  const ws = new WebSocket(url, protocol, { perMessageDeflate: false });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('open', () => onOpen(ws));
  ws.on('message', (data) => onMessage(ws, data.toString()));
  ws.on('error', (err) => fail(`websocket: ${err.message}`));
  ws.on('close', (code, reason) => {
    if (code !== 1000 && code !== 1005) fail(`websocket closed ${code} ${reason.toString()}`);
  });
  return {
    close: () => {
      if (ws.readyState === WebSocket.CLOSED) return closed;
      ws.close(1000);
      return closed;
    },
  };
}

/** Ours over graphql-ws: init, subscribe once acknowledged; resolves when the subscribe is sent. */
function gqlWs(base: string, spec: SubSpec, sub: SubState, rec: Recorder): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const fail = (msg: string) => (sub.done ? undefined : (rec.error(sub, msg), reject(new Error(msg))));
    const conn = openWs(
      `${base.replace(/^http/, 'ws')}/graphql`,
      'graphql-transport-ws',
      (ws) => ws.send(JSON.stringify({ type: 'connection_init', payload: spec.token ? { authorization: `Bearer ${spec.token}` } : {} })),
      (ws, text) => {
        const msg = JSON.parse(text) as { type: string; payload?: { data?: unknown; errors?: Array<{ message: string }> } };
        if (msg.type === 'next') {
          if (msg.payload?.errors) rec.error(sub, msg.payload.errors[0].message);
          else rec.event(sub, firstValue(msg.payload?.data));
        } else if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, variables: spec.variables } }));
          resolve(conn);
        } else if (msg.type === 'ping') ws.send('{"type":"pong"}');
        else if (msg.type === 'error') rec.error(sub, JSON.stringify(msg.payload));
        else if (msg.type === 'complete') sub.done = true;
      },
      fail,
    );
  });
}

function rawWs(base: string, spec: SubSpec, sub: SubState, rec: Recorder): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const conn = openWs(
      `${base.replace(/^http/, 'ws')}${spec.path}`,
      undefined,
      () => resolve(conn),
      (_ws, text) => rec.event(sub, JSON.parse(text) as Event),
      (msg) => (sub.done ? undefined : (rec.error(sub, msg), reject(new Error(msg)))),
    );
  });
}

/** Both SSE paths: one HTTP response per subscription, events split on blank lines. */
function sse(kind: 'gql-sse' | 'raw-sse', base: string, spec: SubSpec, sub: SubState, rec: Recorder): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ours = kind === 'gql-sse';
    const body = ours ? JSON.stringify({ query: spec.query, variables: spec.variables }) : undefined;
    const req = request(`${base}${ours ? '/graphql' : spec.path}`, {
      method: ours ? 'POST' : 'GET',
      agent: false,
      headers: {
        accept: 'text/event-stream',
        ...(ours ? { 'content-type': 'application/json', authorization: `Bearer ${spec.token}` } : {}),
      },
    });
    const closed = new Promise<void>((done) => req.once('close', () => done()));
    req.on('error', (err) => (sub.done ? undefined : (rec.error(sub, `sse: ${err.message}`), reject(err))));
    req.on('response', (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        rec.error(sub, `sse: HTTP ${res.statusCode} ${res.headers['content-type']}`);
        reject(new Error(`sse: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('data:')) data += line.slice(line[5] === ' ' ? 6 : 5);
            else if (line.startsWith('event:')) event = line.slice(6).trim();
          }
          if (event === 'complete') sub.done = true;
          else if (data === '') continue;
          else if (ours) {
            const msg = JSON.parse(data) as { data?: unknown; errors?: Array<{ message: string }> };
            if (msg.errors) rec.error(sub, msg.errors[0].message);
            else rec.event(sub, firstValue(msg.data));
          } else rec.event(sub, JSON.parse(data) as Event);
        }
      });
      res.on('end', () => (sub.done = true));
      resolve({
        close: () => {
          sub.done = true;
          req.destroy();
          return closed;
        },
      });
    });
    req.end(body);
  });
}

export function connect(kind: Kind, base: string, spec: SubSpec, sub: SubState, rec: Recorder): Promise<Conn> {
  if (kind === 'gql-ws') return gqlWs(base, spec, sub, rec);
  if (kind === 'raw-ws') return rawWs(base, spec, sub, rec);
  return sse(kind, base, spec, sub, rec);
}
