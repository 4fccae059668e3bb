#!/usr/bin/env node
'use strict';

// A minimal custom handler used to test the host emulator itself. STUB_MODE
// selects how it replies to POST /MessageTraceTimer:
//   ok          200 application/json {Outputs, Logs, ReturnValue}
//   text-plain  200 text/plain with a JSON body
//   empty       200 with no body
//   status-500  500 with a JSON body
//   array       200 application/json with a JSON array
//   slow        like ok after STUB_DELAY_MS milliseconds
//   exit        exits with status 3 on the first invocation
// STUB_READY_DELAY_MS delays listening. Every request is echoed to stderr as
// one JSON line: method, url, headers, body.

const http = require('node:http');

const mode = process.env.STUB_MODE || 'ok';
const port = Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT);
const delayMs = Number(process.env.STUB_DELAY_MS || 0);
const readyDelayMs = Number(process.env.STUB_READY_DELAY_MS || 0);

function reply(res, invocationId, body) {
  const summary = {
    status: 'succeeded', windowStart: '2026-11-21T09:00:00Z', windowEnd: '2026-11-21T09:15:00Z',
    recordsFetched: 0, recordsIngested: 0, duplicatesSkipped: 0, error: null,
  };
  switch (mode) {
    case 'text-plain':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(JSON.stringify({ Outputs: {}, Logs: [], ReturnValue: summary }));
      return;
    case 'empty':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
      return;
    case 'status-500':
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Logs: ['failed'] }));
      return;
    case 'array':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
      return;
    case 'exit':
      process.exit(3);
      return;
    default:
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({
        Outputs: {},
        Logs: [`${invocationId} body ${body.length} bytes`],
        ReturnValue: { ...summary, echo: JSON.parse(body) },
      }));
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    process.stderr.write(`${JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })}\n`);
    if (req.method === 'GET') {
      res.writeHead(404);
      res.end();
      return;
    }
    const invocationId = req.headers['x-azure-functions-invocationid'];
    const wait = mode === 'slow' ? delayMs : 0;
    setTimeout(() => reply(res, invocationId, body), wait);
  });
});

setTimeout(() => {
  server.listen(port, '127.0.0.1', () => process.stdout.write(`stub handler listening on 127.0.0.1:${port}\n`));
}, readyDelayMs);

process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
