// The ceiling: a bare node:http server that only reads, parses and validates a report with ajv
// against the same protocol schema, and answers 201. No auth, no storage. Usage: node
// bench/baseline-server.mjs PORT
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Report } from '../protocol/dist/index.js';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date-time', 'uuid']);
const validate = ajv.compile(Report);
let n = 0;
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.method !== 'POST') return res.end('ok');
      if (req.url === '/api/v1/enroll') {
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ agentId: `a-${++n}`, unit: 'X', credential: 'pa_x' }));
      }
      const doc = JSON.parse(body.toString());
      const ok = validate(doc);
      res.writeHead(ok ? 201 : 422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reportId: doc.reportId, stored: ok }));
    });
  })
  .listen(Number(process.argv[2]), '127.0.0.1');
