'use strict';

// A plain-http proxy in front of Azurite's Blob service that injects faults
// into the handler's state requests. A fault is a connection reset before
// the request reaches Azurite, a 500 or 503 reply in Azurite's error format,
// or a reset after Azurite applied the request, so that the handler never
// learns that its write succeeded. Hooks see every request before and after
// Azurite.

const http = require('node:http');

const AZURE_ERRORS = {
  500: ['InternalError', 'The server encountered an internal error. Please retry the request.'],
  503: ['ServerBusy', 'The server is currently unable to receive requests. Please retry your request.'],
};

function errorReply(status) {
  const [code, message] = AZURE_ERRORS[status];
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

/**
 * Starts the proxy on 127.0.0.1 with an ephemeral port.
 *
 * @param {object} azurite the result of startAzurite()
 * @returns {Promise<object>} `connectionString` and `blobEndpoint` that point at
 *   the proxy; `inject(fault)` queues a fault ({kind: 'reset' | 'status' |
 *   'lostReply', status, match(entry), skip}); `onRequest(hook)` registers
 *   hook(entry, body), called before forwarding, which drops the request
 *   when it returns true; `onReply(hook)` registers hook(entry), called
 *   after Azurite replied;
 *   `clearFaults()`, `requests()`, `stop()`
 */
async function startStorageProxy(azurite) {
  const target = new URL(azurite.blobEndpoint);
  const log = [];
  let faults = [];
  let requestHooks = [];
  let replyHooks = [];

  function takeFault(entry, kinds) {
    for (const fault of faults) {
      if (fault.remaining <= 0 || !kinds.includes(fault.kind) || (fault.match && !fault.match(entry))) {
        continue;
      }
      if (fault.skip > 0) {
        fault.skip -= 1;
        continue;
      }
      fault.remaining -= 1;
      return fault;
    }
    return null;
  }

  function forward(req, body) {
    return new Promise((resolve, reject) => {
      const upstream = http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  async function onRequest(req, res) {
    const chunks = [];
    for await (const chunk of req) {
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://127.0.0.1');
    const entry = {
      method: req.method,
      path: decodeURIComponent(url.pathname),
      query: url.search,
      status: null,
      fault: null,
      time: Date.now(),
    };
    log.push(entry);
    // A hook that returns true drops the request before it reaches Azurite.
    const dropped = requestHooks.map((hook) => hook(entry, body)).some(Boolean);
    if (dropped) {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }

    const before = takeFault(entry, ['reset', 'status']);
    if (before) {
      entry.fault = before.kind === 'reset' ? 'reset' : `status ${before.status}`;
      if (before.kind === 'reset') {
        entry.status = 'reset';
        req.socket.destroy();
        return;
      }
      const reply = errorReply(before.status);
      entry.status = reply.status;
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
      return;
    }

    let reply;
    try {
      reply = await forward(req, body);
    } catch (error) {
      entry.status = 'upstream-error';
      req.socket.destroy();
      return;
    }
    entry.status = reply.status;
    replyHooks.forEach((hook) => hook(entry));
    if (takeFault(entry, ['lostReply'])) {
      // Azurite applied the request, but the handler gets a dropped connection.
      entry.fault = 'lostReply';
      req.socket.destroy();
      return;
    }
    if (res.destroyed) {
      return;
    }
    const headers = { ...reply.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(reply.body.length);
    res.writeHead(reply.status, headers);
    res.end(reply.body);
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.destroyed) {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const blobEndpoint = `http://127.0.0.1:${port}/${azurite.accountName}`;

  return {
    port,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${azurite.accountName};` +
      `AccountKey=${azurite.accountKey};BlobEndpoint=${blobEndpoint};`,
    /** Queues a fault; returns its record, whose `remaining` counts down as it hits. */
    inject(fault) {
      const stored = { skip: 0, times: 1, ...fault, remaining: fault.times ?? 1 };
      faults.push(stored);
      return stored;
    },
    onRequest(hook) {
      requestHooks.push(hook);
    },
    onReply(hook) {
      replyHooks.push(hook);
    },
    clearFaults() {
      faults = [];
      requestHooks = [];
      replyHooks = [];
    },
    requests: () => log.slice(),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { startStorageProxy };
