'use strict';

// Shared plumbing for the fake services: an HTTPS server on 127.0.0.1 with an
// ephemeral port, a request log, and a queue of injected faults that take
// precedence over the normal reply.

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');

const REDACTED = '<redacted>';

/** Headers copied into the request log with credentials masked. */
function redactHeaders(headers) {
  const copy = { ...headers };
  if (copy.authorization) {
    const scheme = String(copy.authorization).split(' ')[0];
    copy.authorization = `${scheme} ${REDACTED}`;
  }
  if (copy['x-functions-key']) {
    copy['x-functions-key'] = REDACTED;
  }
  if (copy['x-identity-header']) {
    copy['x-identity-header'] = REDACTED;
  }
  return copy;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function jsonReply(status, body, headers = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function matchesFault(fault, entry) {
  const { match } = fault;
  if (!match) {
    return true;
  }
  if (typeof match === 'function') {
    return Boolean(match(entry));
  }
  if (match.method && match.method.toUpperCase() !== entry.method) {
    return false;
  }
  if (match.path instanceof RegExp && !match.path.test(entry.path)) {
    return false;
  }
  if (typeof match.path === 'string' && match.path !== entry.path) {
    return false;
  }
  return true;
}

/**
 * Creates a queue of injected faults. Each fault applies to the requests its `match`
 * selects (all by default), after skipping `skip` of them, `times` times
 * (1 by default, Infinity for every request).
 */
function createFaultQueue(presets) {
  const faults = [];

  function add(spec, options = {}) {
    let fault;
    if (typeof spec === 'string') {
      const preset = presets[spec];
      if (!preset) {
        const known = Object.keys(presets).join(', ');
        throw new Error(`unknown fault preset '${spec}'; known presets: ${known}`);
      }
      fault = { name: spec, ...preset(options) };
    } else {
      fault = { name: spec.kind || `status ${spec.status}`, ...spec };
    }
    const fromSpec = typeof spec === 'string' ? {} : spec;
    const handle = {
      name: fault.name,
      fault,
      match: options.match ?? fromSpec.match,
      skip: options.skip ?? fromSpec.skip ?? 0,
      remaining: options.times ?? fromSpec.times ?? 1,
      hits: 0,
    };
    faults.push(handle);
    return handle;
  }

  function take(entry) {
    for (const handle of faults) {
      if (handle.remaining <= 0 || !matchesFault(handle, entry)) {
        continue;
      }
      if (handle.skip > 0) {
        handle.skip -= 1;
        continue;
      }
      handle.remaining -= 1;
      handle.hits += 1;
      return handle.fault;
    }
    return null;
  }

  return {
    add,
    take,
    clear: () => faults.splice(0, faults.length),
    pending: () => faults.filter((handle) => handle.remaining > 0),
  };
}

/** Fault presets every fake supports; services add their own bodies. */
const COMMON_PRESETS = {
  reset: () => ({ kind: 'reset' }),
  delay: ({ ms = 1000, then = null } = {}) => ({ kind: 'delay', ms, then }),
  truncate: ({ keepBytes, framing = 'complete' } = {}) => ({ kind: 'truncate', keepBytes, framing }),
  status: ({ status = 500, headers = {}, body = '' } = {}) => ({ kind: 'reply', status, headers, body }),
  // The service processes the request, then the connection drops before
  // the reply: the client cannot tell whether it took effect.
  lostReply: () => ({ kind: 'lostReply' }),
};

/**
 * Starts an HTTPS server for one fake service on 127.0.0.1 with an ephemeral
 * port. With `tls: null` it starts a plain http server, as the App Service
 * managed identity endpoint is.
 *
 * `handle({req, url, body, entry})` returns a reply `{status, headers, body}`
 * (body a string or Buffer) or null after writing the response itself.
 *
 * @returns {Promise<{baseUrl: string, port: number, requests: () => object[],
 *   clearRequests: () => void, faults: object, stop: () => Promise<void>}>}
 */
async function startFakeServer({ name, tls, handle, presets = {} }) {
  const log = [];
  const faults = createFaultQueue({ ...COMMON_PRESETS, ...presets });
  const timers = new Set();
  let stopping = false;

  const sleep = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function onRequest(req, res) {
    const url = new URL(req.url, 'https://127.0.0.1');
    const entry = {
      service: name,
      time: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawQuery: url.search,
      headers: redactHeaders(req.headers),
      bodySize: 0,
      status: null,
      fault: null,
    };
    log.push(entry);

    let body;
    try {
      body = await readBody(req);
    } catch {
      entry.status = 'client-aborted';
      return;
    }
    entry.bodySize = body.length;

    let fault = faults.take(entry);
    if (fault) {
      entry.fault = fault.name;
    }
    if (fault && fault.kind === 'delay') {
      await sleep(fault.ms);
      if (stopping || res.destroyed) {
        entry.status = 'aborted';
        return;
      }
      fault = fault.then || null;
    }
    if (fault && fault.kind === 'reset') {
      entry.status = 'reset';
      req.socket.destroy();
      return;
    }

    let reply;
    if (fault && fault.kind === 'reply') {
      reply = fault;
    } else {
      try {
        reply = await handle({ req, url, body, entry });
      } catch (error) {
        reply = jsonReply(500, { error: { code: 'FakeServerError', message: String(error.stack || error) } });
      }
    }
    if (!reply) {
      entry.status = res.statusCode;
      return;
    }
    if (fault && fault.kind === 'lostReply') {
      entry.status = 'lost-reply';
      req.socket.destroy();
      return;
    }
    if (res.destroyed) {
      entry.status = 'aborted';
      return;
    }
    sendReply(res, reply, fault && fault.kind === 'truncate' ? fault : null);
    entry.status = reply.status;
  }

  const listener = (req, res) => {
    onRequest(req, res).catch((error) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    });
  };
  const server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    name,
    port,
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests: () => log.slice(),
    clearRequests: () => log.splice(0, log.length),
    faults,
    async stop() {
      stopping = true;
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function sendReply(res, reply, truncation) {
  const headers = { ...(reply.headers || {}) };
  let payload = reply.body === undefined || reply.body === null ? Buffer.alloc(0) : reply.body;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
    payload = JSON.stringify(payload);
  }
  payload = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');

  if (truncation) {
    const keep = truncation.keepBytes ?? Math.floor(payload.length / 2);
    const cut = payload.subarray(0, Math.min(keep, payload.length));
    if (truncation.framing === 'short') {
      // Promise the full length, send part of it, then close the connection.
      res.writeHead(reply.status, { ...headers, 'content-length': payload.length });
      res.write(cut, () => res.socket && res.socket.destroy());
      return;
    }
    payload = cut;
  }

  if (reply.status === 204 || reply.status === 304) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...headers, 'content-length': payload.length });
  res.end(payload);
}

function randomGuid() {
  return crypto.randomUUID();
}

module.exports = { startFakeServer, jsonReply, readBody, redactHeaders, randomGuid, REDACTED };
