// The benches' load generator transport: keep-alive HTTP/1.1 over plain sockets, one request in
// flight per connection, written as one string and read just far enough to know the status and
// where the answer ends (Content-Length, or the last chunk). Why not undici: the generator
// shares this machine's cores with the servers it measures. Against the bare server, undici's
// Pool cost the generator 118-175 µs of CPU per request and this 79-101 µs (alternating runs of
// 3 s, 32 connections, load average ~3.5): CPU the measured server would otherwise lack. Agents
// run on other machines; the less the generator takes, the more the figures say about the
// server alone. Only for the benches' servers: JSON answers, no pipelining, no trailers; an
// answer it cannot delimit is an error that says so.
import net from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

class Connection {
  /** @param {{ host: string, port: number }} target */
  constructor(target) {
    this.target = target;
    this.socket = null;
    this.pending = null;
    this.buf = null;
  }

  connect() {
    const s = net.connect({ host: this.target.host, port: this.target.port, noDelay: true });
    s.on('data', (chunk) => this.onData(chunk));
    const fail = (e) => {
      // 'error' and then 'close' come for one socket; by the second a new one may carry the next request.
      if (this.socket !== s) return;
      this.socket = null;
      const p = this.pending;
      this.pending = null;
      this.buf = null;
      p?.reject(e ?? new Error('connection closed before the answer'));
    };
    s.on('error', fail);
    s.on('close', () => fail(null));
    this.socket = s;
  }

  /** Send `request` (the whole HTTP/1.1 request); resolves with the answer's status. */
  send(request) {
    if (!this.socket) this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  onData(chunk) {
    const buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = buf.indexOf(HEADER_END);
    if (end < 0) return void (this.buf = buf);
    const head = buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (m) {
      if (buf.length < end + 4 + Number(m[1])) return void (this.buf = buf);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      // Answers are JSON (no raw CR LF in it): the last chunk's terminator ends the buffer.
      if (
        !buf
          .subarray(end + 4)
          .toString('latin1')
          .endsWith('\r\n0\r\n\r\n')
      )
        return void (this.buf = buf);
    } else {
      this.socket.destroy(new Error(`answer with neither Content-Length nor chunked encoding: ${head.split('\r\n')[0]}`));
      return;
    }
    // One request in flight per connection: nothing follows the answer.
    this.buf = null;
    const p = this.pending;
    this.pending = null;
    p?.resolve(Number(head.slice(9, 12)));
  }

  close() {
    this.socket?.end();
    this.socket = null;
  }
}

/** A fixed set of keep-alive connections; a request waits for a free one (first come, first served). */
export class LeanPool {
  /** @param {string} url  @param {number} connections */
  constructor(url, connections) {
    const u = new URL(url);
    this.hostHeader = u.host;
    const target = { host: u.hostname, port: Number(u.port) };
    this.free = Array.from({ length: connections }, () => new Connection(target));
    this.all = [...this.free];
    this.queue = [];
  }

  /** POST `body` (JSON text, or gzip of it as a Buffer) to `path` with an Authorization header; resolves with the status. */
  post(path, body, auth) {
    // A Buffer body is sent gzip-encoded, as agents send reports.
    const gzip = Buffer.isBuffer(body);
    const head = `POST ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-type: application/json\r\n${gzip ? 'content-encoding: gzip\r\n' : ''}authorization: ${auth}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const request = gzip ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head + body;
    return new Promise((resolve, reject) => {
      const run = (c) =>
        c.send(request).then(
          (status) => (this.release(c), resolve(status)),
          (e) => (this.release(c), reject(e)),
        );
      const c = this.free.pop();
      if (c) void run(c);
      else this.queue.push(run);
    });
  }

  release(c) {
    const next = this.queue.shift();
    if (next) void next(c);
    else this.free.push(c);
  }

  close() {
    for (const c of this.all) c.close();
  }
}
