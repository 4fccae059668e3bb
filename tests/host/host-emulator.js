'use strict';

// A stand-in for the Azure Functions host (4.x) driving a custom handler.
// It starts the handler with the host's environment variables and waits for
// the readiness probe. Then it sends timer invocations and judges each reply
// the way the host does, following the host sources
// (Azure/azure-functions-host, src/WebJobs.Script/Workers/Http/).

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { timerBody } = require('./timer-bodies');

const HOST_VERSION = '4.1037.0.0';
const PROBE_INTERVAL_MS = 25;
const INIT_TIMEOUT_MS = 30 * 1000;
const FUNCTION_TIMEOUT_MS = 10 * 60 * 1000;
const STOP_GRACE_MS = 5000;
// The host restarts a failed worker, and shuts down after 3 failures in 30 minutes.
const MAX_RESTARTS = 3;
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Media type without parameters, lower case: `application/json; charset=utf-8` -> `application/json`. */
function mediaType(contentType) {
  return String(contentType || '').split(';')[0].trim().toLowerCase();
}

/**
 * Judges a handler reply as the host does (DefaultHttpWorkerService):
 * 2xx + application/json or text/json + a JSON object whose Logs is an array
 * of strings is a success. Keys match case-insensitively.
 *
 * NOTE: the host also accepts a reply without Logs; this emulator requires
 * Logs because the handler contract always sends it.
 *
 * @returns {{ok: boolean, failureReason: string|null, failureMessage: string|null,
 *   reply: object|null, logs: string[], returnValue: *, outputs: *, warnings: string[]}}
 */
function judgeReply({ status, contentType, bodyText }) {
  const failure = (failureReason, failureMessage, extra = {}) => ({
    ok: false, failureReason, failureMessage, reply: null, logs: [], returnValue: undefined, outputs: undefined,
    warnings: [], ...extra,
  });
  if (status < 200 || status > 299) {
    const reason = http.STATUS_CODES[status] || 'Unknown';
    return failure('non-2xx', `Response status code does not indicate success: ${status} (${reason}). ` +
      'The host never reads the body, so Logs are lost.');
  }
  if (bodyText.length === 0) {
    return failure('empty-body',
      'The reply has no body, so the host never completes the invocation and it hangs until functionTimeout.');
  }

  const type = mediaType(contentType);
  if (type !== 'application/json' && type !== 'text/json') {
    return failure('unsupported-media-type',
      `Invalid HttpResponseMessage: the content type '${contentType || '(none)'}' is not application/json.`);
  }
  let reply;
  try {
    reply = JSON.parse(bodyText);
  } catch (error) {
    return failure('invalid-json', `The reply body is not valid JSON: ${error.message}`);
  }
  if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
    return failure('not-an-object', 'The reply body is JSON but not a JSON object.');
  }

  const byLowerKey = new Map(Object.keys(reply).map((key) => [key.toLowerCase(), reply[key]]));
  const logs = byLowerKey.get('logs');
  if (!Array.isArray(logs) || logs.some((line) => typeof line !== 'string')) {
    return failure('invalid-logs', 'The reply has no Logs array of strings.', { reply });
  }
  const warnings = [];
  const outputs = byLowerKey.get('outputs');
  const returnValue = byLowerKey.get('returnvalue');
  if (outputs === undefined || outputs === null || Object.keys(outputs).length === 0) {
    warnings.push('Outputs is empty');
  }
  if (returnValue === undefined || returnValue === null) {
    warnings.push('ReturnValue is null');
  }
  return { ok: true, failureReason: null, failureMessage: null, reply, logs, returnValue, outputs, warnings };
}

/**
 * Starts the handler as the Functions host would and waits until it replies
 * to the readiness probe.
 *
 * @param {object} options
 * @param {string} options.handlerPath executable to run
 * @param {string[]} [options.args] arguments (the host adds none)
 * @param {object} [options.env] app settings, passed as environment variables
 * @param {boolean} [options.inheritEnv] pass this process's whole environment
 *   too (default false: only PATH, HOME, TMPDIR, locale and sanitizer options)
 * @param {string} [options.appRoot] FUNCTIONS_APP_ROOT_PATH and working directory
 * @param {number} [options.functionTimeoutMs] functionTimeout, 10 min by default
 * @param {number} [options.initTimeoutMs] readiness deadline, 30 s by default
 * @param {boolean} [options.restartOnTimeout] kill and restart the worker after a
 *   function timeout, as the host does (default true)
 * @returns {Promise<object>} host: `invoke(options)`, `ping()`, `output()`,
 *   `exits()`, `restarts()`, `pid()`, `port()`, `stop()`
 */
async function startHost({
  handlerPath,
  args = [],
  env = {},
  inheritEnv = false,
  appRoot = path.resolve(__dirname, '..', '..'),
  functionTimeoutMs = FUNCTION_TIMEOUT_MS,
  initTimeoutMs = INIT_TIMEOUT_MS,
  restartOnTimeout = true,
  hostVersion = HOST_VERSION,
} = {}) {
  if (!handlerPath) {
    throw new Error('startHost: handlerPath is required');
  }
  const workerId = crypto.randomUUID();
  const output = [];
  const exits = [];
  const agent = new http.Agent({ keepAlive: true });
  let child = null;
  let port = 0;
  let stopping = false;
  let restarts = 0;

  function childEnvironment() {
    const base = {};
    if (inheritEnv) {
      Object.assign(base, process.env);
    } else {
      for (const name of INHERITED_VARIABLES) {
        if (process.env[name] !== undefined) {
          base[name] = process.env[name];
        }
      }
    }
    return {
      ...base,
      FUNCTIONS_WORKER_RUNTIME: 'custom',
      ...env,
      FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
      FUNCTIONS_HTTPWORKER_PORT: String(port),
      FUNCTIONS_CUSTOMHANDLER_WORKER_ID: workerId,
      FUNCTIONS_APP_ROOT_PATH: appRoot,
    };
  }

  function captureLines(stream, name) {
    readline.createInterface({ input: stream }).on('line', (text) => {
      output.push({ stream: name, time: Date.now(), text });
    });
  }

  async function launch() {
    port = await freePort();
    const spawned = spawn(handlerPath, args, { cwd: appRoot, env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    const exited = new Promise((resolve) => {
      spawned.once('exit', (code, signal) => {
        exits.push({ pid: spawned.pid, code, signal, time: Date.now() });
        resolve({ code, signal });
      });
    });
    spawned.once('error', (error) => {
      exits.push({ pid: spawned.pid, code: null, signal: null, error: error.message, time: Date.now() });
    });
    spawned.exited = exited;
    captureLines(spawned.stdout, 'stdout');
    captureLines(spawned.stderr, 'stderr');
    await waitUntilReady(spawned);
  }

  async function waitUntilReady(spawned) {
    const deadline = Date.now() + initTimeoutMs;
    let exitedEarly = null;
    spawned.exited.then((exit) => {
      exitedEarly = exit;
    });
    while (Date.now() < deadline) {
      if (exitedEarly || spawned.exitCode !== null || spawned.signalCode !== null) {
        const stderr = output.filter((line) => line.stream === 'stderr').slice(-20).map((line) => line.text);
        throw new Error(`handler exited before it was ready (code ${spawned.exitCode}, signal ${spawned.signalCode}); ` +
          `last stderr lines:\n${stderr.join('\n')}`);
      }
      if ((await probe(1000)) !== null) {
        return;
      }
      await delay(PROBE_INTERVAL_MS);
    }
    await killChild(spawned);
    throw new Error(`handler did not answer GET / on 127.0.0.1:${port} within ${initTimeoutMs} ms (initialization timeout)`);
  }

  /** GET / like the host's readiness and health probes; returns the status or null on a socket error. */
  function probe(timeoutMs) {
    return new Promise((resolve) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, timeout: timeoutMs },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
          response.on('error', () => resolve(response.statusCode));
        });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(null));
      request.end();
    });
  }

  async function killChild(target) {
    if (!target || target.exitCode !== null || target.signalCode !== null) {
      return;
    }
    target.kill('SIGTERM');
    let graceTimer;
    const graceOver = new Promise((resolve) => {
      graceTimer = setTimeout(() => resolve(false), STOP_GRACE_MS);
    });
    const stoppedInTime = await Promise.race([target.exited.then(() => true), graceOver]);
    clearTimeout(graceTimer);
    if (!stoppedInTime) {
      target.kill('SIGKILL');
      await target.exited;
    }
  }

  async function restart() {
    restarts += 1;
    if (restarts > MAX_RESTARTS) {
      throw new Error('Exceeded http worker restart retry count. Shutting down Functions Host');
    }
    await killChild(child);
    await launch();
  }

  function send({ functionName, body, framing, invocationId, timeoutMs, extraHeaders }) {
    return new Promise((resolve) => {
      const headers = {
        'X-Azure-Functions-HostVersion': hostVersion,
        'X-Azure-Functions-InvocationId': invocationId,
        'User-Agent': `Azure-Functions-Host/${hostVersion}`,
        'Content-Type': 'application/json; charset=utf-8',
        ...extraHeaders,
      };
      const payload = Buffer.from(body, 'utf8');
      if (framing === 'content-length') {
        headers['Content-Length'] = String(payload.length);
      } else if (framing !== 'chunked') {
        throw new Error(`unknown framing '${framing}'; use chunked or content-length`);
      }
      let settled = false;
      const finish = (outcome) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        }
      };
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/${functionName}`, headers, agent },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => finish({
            status: response.statusCode,
            contentType: response.headers['content-type'] || null,
            bodyText: Buffer.concat(chunks).toString('utf8'),
          }));
          response.on('error', (error) => finish({ error }));
        });
      const timer = setTimeout(() => {
        request.destroy();
        finish({ timedOut: true });
      }, timeoutMs);
      request.on('error', (error) => finish({ error }));
      if (framing === 'chunked') {
        // Without Content-Length, Node sends Transfer-Encoding: chunked, as the
        // host's ObjectContent does; two writes give two chunks.
        const middle = Math.floor(payload.length / 2);
        request.write(payload.subarray(0, middle));
        request.end(payload.subarray(middle));
      } else {
        request.end(payload);
      }
    });
  }

  /**
   * Sends one invocation and judges the reply.
   *
   * @param {object} [options]
   * @param {string} [options.kind] timer body kind (see timer-bodies.js), 'scheduled' by default
   * @param {string|object} [options.body] body to send instead of a generated one
   * @param {string} [options.framing] 'chunked' (default, as the host sends) or 'content-length'
   * @param {string} [options.functionName] request path, MessageTraceTimer by default
   * @param {number} [options.timeoutMs] functionTimeout for this invocation
   * @returns {Promise<object>} {ok, status, contentType, body, reply, logs,
   *   returnValue, failureReason, failureMessage, warnings, invocationId,
   *   durationMs, output (handler lines written during the invocation)}
   */
  async function invoke({
    kind = 'scheduled',
    body,
    framing = 'chunked',
    functionName = 'MessageTraceTimer',
    timeoutMs = functionTimeoutMs,
    headers: extraHeaders = {},
  } = {}) {
    if (!stopping && child && (child.exitCode !== null || child.signalCode !== null)) {
      // The host restarts a worker that exited before sending it more work.
      await restart();
    }
    const invocationId = crypto.randomUUID();
    let text = body;
    if (body === undefined) {
      text = timerBody(kind);
    } else if (typeof body !== 'string') {
      text = JSON.stringify(body);
    }
    const startedAt = Date.now();
    const firstLine = output.length;
    const outcome = await send({ functionName, body: text, framing, invocationId, timeoutMs, extraHeaders });
    const base = { invocationId, durationMs: Date.now() - startedAt };

    if (outcome.timedOut) {
      const result = {
        ...base, ok: false, status: null, contentType: null, body: null, reply: null, logs: [], returnValue: undefined,
        warnings: [], failureReason: 'timeout',
        failureMessage: `A function timeout has occurred (${timeoutMs} ms). The host restarts the worker process.`,
      };
      if (restartOnTimeout && !stopping) {
        await restart();
      }
      return { ...result, output: output.slice(firstLine) };
    }
    if (outcome.error) {
      return {
        ...base, ok: false, status: null, contentType: null, body: null, reply: null, logs: [], returnValue: undefined,
        warnings: [], failureReason: 'connection-error',
        failureMessage: `The request to the handler failed: ${outcome.error.message}`,
        output: output.slice(firstLine),
      };
    }
    const judgement = judgeReply(outcome);
    return {
      ...base,
      status: outcome.status,
      contentType: outcome.contentType,
      body: outcome.bodyText,
      ...judgement,
      output: output.slice(firstLine),
    };
  }

  await launch();

  return {
    invoke,
    ping: () => probe(5000),
    port: () => port,
    pid: () => child && child.pid,
    workerId,
    output: () => output.slice(),
    stdout: () => output.filter((line) => line.stream === 'stdout').map((line) => line.text),
    stderr: () => output.filter((line) => line.stream === 'stderr').map((line) => line.text),
    exits: () => exits.slice(),
    restarts: () => restarts,
    async stop() {
      stopping = true;
      await killChild(child);
      agent.destroy();
    },
  };
}

module.exports = { startHost, judgeReply, timerBody };
