// The baseline: a bare node:http server that only reads the body (inflates it if gzip), parses it and validates it
// with ajv against the protocol's report schema (same options as the collector), then answers
// 201. No auth, no storage: the ceiling of one Node process on this machine.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Report } from '@posture/protocol';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, removeAdditional: false, useDefaults: false });
addFormats(ajv, ['date-time', 'uuid']);
const validate = ajv.compile(Report);

let enrolled = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST') return void res.writeHead(200).end('ok');
    if (req.url === '/api/v1/enroll') {
      // The fleet simulator enrolls each virtual host first: hand out a dummy credential.
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ agentId: `a-${++enrolled}`, unit: 'X', credential: 'pa_bench' }));
      return;
    }
    let body;
    try {
      const raw = Buffer.concat(chunks);
      body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
    } catch {
      res.writeHead(400).end('{"code":"BODY_INVALID_JSON"}');
      return;
    }
    if (!validate(body)) {
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify(validate.errors));
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ reportId: body.reportId, stored: true }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
