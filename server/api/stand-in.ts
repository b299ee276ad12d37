// While the process waits for its database at start-up, this answers on its port so an
// orchestrator sees it alive (/health 200) but not ready (/ready 503), and clients get a
// clear 503 instead of a refused connection. Closed before the real server listens.
import { createServer } from 'node:http';

export async function startStandIn(port: number, host: string, waitingFor: () => string): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    if (pathname === '/health') return json(200, { status: 'up' });
    if (pathname === '/ready') return json(503, { status: 'starting', waitingFor: waitingFor() });
    json(503, { errors: [{ message: `The service is starting (waiting for ${waitingFor()}); try again shortly.`, extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  return {
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
