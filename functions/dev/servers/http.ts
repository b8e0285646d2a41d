/**
 * A small HTTP server for local stand-ins of vendor APIs, with programmable faults: answer with an
 * error status, answer slowly, or never answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface CapturedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  at: Date;
  /** Status answered (undefined while hanging). */
  status?: number;
}

/**
 * `echo`: answer `status` with the request's method, URL, headers and body quoted back in the error
 * fields vendors use (message, error.message, detail), like a misbehaving vendor or proxy would.
 */
export type Fault = { status: number; body?: unknown } | { status: number; echo: true } | { delayMs: number } | { hang: true };

/** The request as a vendor echoing it would quote it. */
export function echoOf(request: CapturedRequest): Record<string, unknown> {
  const query = request.query.toString();
  const text = `${request.method} ${request.path}${query ? `?${query}` : ''} headers=${JSON.stringify(request.headers)} body=${request.body}`;
  return {
    message: text,
    error: { message: text, type: 'invalid_request_error' },
    detail: text,
    code: 20003,
    status: 401,
    headers: request.headers,
    body: request.body,
  };
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: CapturedRequest, params: Record<string, string>) => RouteResponse | Promise<RouteResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export class LocalHttpServer {
  readonly requests: CapturedRequest[] = [];
  private readonly routes: Route[] = [];
  private faults: Fault[] = [];
  private persistentFault: Fault | null = null;
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  constructor(readonly name: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Registers a route; `:name` segments become params. */
  route(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:([A-Za-z]+)/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
    this.routes.push({ method: method.toUpperCase(), pattern, names, handler });
    return this;
  }

  /** Applies a fault to the next `times` requests (default: every request until cleared). */
  fail(fault: Fault, times?: number): void {
    if (times === undefined) this.persistentFault = fault;
    else for (let i = 0; i < times; i += 1) this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
    this.persistentFault = null;
  }

  reset(): void {
    this.requests.length = 0;
    this.clearFaults();
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const request: CapturedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: raw.toString('utf8'),
      at: new Date(),
    };
    this.requests.push(request);

    const fault = this.faults.shift() ?? this.persistentFault;
    if (fault && 'hang' in fault) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault && 'delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault && 'echo' in fault) return this.send(res, request, { status: fault.status, body: echoOf(request) });
    if (fault && 'status' in fault)
      return this.send(res, request, { status: fault.status, body: fault.body ?? { error: `${this.name} fault ${fault.status}` } });

    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1])]));
      try {
        return this.send(res, request, await route.handler(request, params));
      } catch (error) {
        return this.send(res, request, { status: 500, body: { error: (error as Error).message } });
      }
    }
    this.send(res, request, { status: 404, body: { error: `${this.name}: no route for ${request.method} ${request.path}` } });
  }

  /** Requests answered with a 2xx status. */
  get succeeded(): CapturedRequest[] {
    return this.requests.filter((request) => request.status !== undefined && request.status < 300);
  }

  private send(res: ServerResponse, request: CapturedRequest, response: RouteResponse): void {
    request.status = response.status;
    const body = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status, {
      'content-type': typeof response.body === 'string' ? 'text/plain' : 'application/json',
      ...response.headers,
    });
    res.end(body);
  }
}
