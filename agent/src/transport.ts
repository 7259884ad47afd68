/**
 * One HTTP(S) POST over Node's own http/https modules, optionally through an HTTP proxy with a
 * CONNECT tunnel (for http and https collectors alike, so a proxy that only allows CONNECT works).
 *
 * Why not undici: the agent sends one request per cycle, and undici's WebAssembly HTTP parser
 * alone kept ~18 MB resident in an otherwise idle daemon (measured by bench/agent-footprint.mjs);
 * Node's built-in parser is already in the binary, and without WebAssembly the daemon can run
 * with V8's --lite-mode (see deploy/systemd/posture-agent.service).
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';

export interface TransportOptions {
  /** PEM of the pinned CA (replaces Node's bundled roots), client certificate and key. */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  proxy?: string | undefined;
  connectTimeoutMs: number;
  /** Longest silence while waiting for the answer's headers or between its body chunks. */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A transport failure with a stable code (Node's or OpenSSL's), never to be matched as text. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const codeOf = (e: unknown): string => (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : 'ERR_TRANSPORT');
const asTransportError = (e: unknown): TransportError => (e instanceof TransportError ? e : new TransportError(codeOf(e), e instanceof Error ? e.message : String(e)));

/** Opens a CONNECT tunnel through the proxy to host:port; resolves the raw socket. */
function tunnel(proxy: URL, host: string, port: number, opts: TransportOptions): Promise<Socket> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const mod = proxy.protocol === 'https:' ? https : http;
    const req = mod.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { host: target },
      timeout: opts.connectTimeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new TransportError('ERR_PROXY_CONNECT', `proxy answered ${res.statusCode ?? '?'} to CONNECT ${target}`));
    });
    req.once('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no answer from the proxy within ${opts.connectTimeoutMs} ms`)));
    req.once('error', (e) => reject(asTransportError(e)));
    req.end();
  });
}

export class Transport {
  /** Keep-alive connections between the requests of one spool drain (no proxy). */
  private readonly agent: http.Agent;

  constructor(
    private readonly url: URL,
    private readonly opts: TransportOptions,
  ) {
    const tlsOpts = { ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}) };
    this.agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1, ...tlsOpts }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  close(): void {
    this.agent.destroy();
  }

  async post(path: string, body: Buffer, headers: Record<string, string>): Promise<TransportResponse> {
    const target = new URL(path, this.url);
    const secure = target.protocol === 'https:';
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port || (secure ? 443 : 80));
    let socket: Socket | undefined;
    if (this.opts.proxy) socket = await tunnel(new URL(this.opts.proxy), host, port, this.opts);
    return new Promise<TransportResponse>((resolve, reject) => {
      const mod = secure ? https : http;
      const common = {
        host,
        port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length), ...(socket ? { connection: 'close' } : {}) },
        ...(this.opts.ca ? { ca: this.opts.ca } : {}),
        ...(this.opts.cert && this.opts.key ? { cert: this.opts.cert, key: this.opts.key } : {}),
      };
      const tunnelled = socket;
      const req = tunnelled
        ? mod.request({
            ...common,
            // No agent: Node then uses createConnection (agent:false would make a fresh Agent
            // that ignores it). Through the tunnel: TLS (or plain HTTP) runs over the proxy's socket.
            createConnection: () =>
              secure
                ? tls.connect({ socket: tunnelled, servername: isIP(host) ? undefined : host, host, ...(this.opts.ca ? { ca: this.opts.ca } : {}), ...(this.opts.cert && this.opts.key ? { cert: this.opts.cert, key: this.opts.key } : {}) })
                : tunnelled,
          })
        : mod.request({ ...common, agent: this.agent });
      // Connect deadline: TCP + TLS handshake; then the idle timeout takes over.
      const connectTimer = setTimeout(() => req.destroy(new TransportError('ETIMEDOUT', `no connection within ${this.opts.connectTimeoutMs} ms`)), this.opts.connectTimeoutMs);
      req.once('socket', (s) => {
        const connected = () => clearTimeout(connectTimer);
        // A kept-alive socket is connected already; a new one says so with (secure)connect.
        if (!s.connecting) connected();
        else s.once(secure ? 'secureConnect' : 'connect', connected);
      });
      req.setTimeout(this.opts.timeoutMs, () => req.destroy(new TransportError('ETIMEDOUT', `no answer within ${this.opts.timeoutMs} ms`)));
      req.once('error', (e) => {
        clearTimeout(connectTimer);
        tunnelled?.destroy();
        reject(asTransportError(e));
      });
      req.once('response', (res) => {
        clearTimeout(connectTimer);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', (e) => reject(asTransportError(e)));
        res.once('end', () => {
          // A tunnel is not pooled: close it, or its socket would keep the process alive.
          if (tunnelled) req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }
}
