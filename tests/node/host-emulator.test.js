'use strict';

// Tests of the Functions host emulator against a small Node stub handler.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startHost, judgeReply, timerBody } = require('../host/host-emulator');

const STUB = path.join(__dirname, '..', 'host', 'stub-handler.js');

function startStub(mode, extraEnv = {}, options = {}) {
  return startHost({
    handlerPath: process.execPath,
    args: [STUB],
    env: { STUB_MODE: mode, MESSAGE_TRACE_SOURCE: 'graph', ...extraEnv },
    ...options,
  });
}

/** Requests the stub echoed to stderr, parsed. */
function echoedRequests(host) {
  return host.stderr().map((line) => JSON.parse(line));
}

describe('host emulator', () => {
  const hosts = [];
  after(async () => {
    await Promise.all(hosts.map((host) => host.stop()));
  });

  it('sends the host headers with chunked framing', async () => {
    const host = await startStub('ok');
    hosts.push(host);
    const result = await host.invoke({ kind: 'scheduled' });
    assert.equal(result.ok, true, result.failureMessage);
    assert.equal(result.status, 200);
    assert.equal(result.logs.length, 1);
    assert.ok(result.logs[0].startsWith(`${result.invocationId} body `));
    assert.equal(result.returnValue.status, 'succeeded');

    const posted = echoedRequests(host).filter((entry) => entry.method === 'POST');
    assert.equal(posted.length, 1);
    const { headers, url } = posted[0];
    assert.equal(url, '/MessageTraceTimer');
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.equal(headers['content-length'], undefined);
    assert.equal(headers['x-azure-functions-hostversion'], '4.1037.0.0');
    assert.equal(headers['x-azure-functions-invocationid'], result.invocationId);
    assert.equal(headers['user-agent'], 'Azure-Functions-Host/4.1037.0.0');
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');

    const probes = echoedRequests(host).filter((entry) => entry.method === 'GET');
    assert.ok(probes.length >= 1);
    assert.equal(probes[0].url, '/');
  });

  it('passes the host environment', async () => {
    const host = await startHost({
      handlerPath: process.execPath,
      args: ['-e', [
        "const http = require('node:http');",
        'const env = process.env;',
        "http.createServer((req, res) => { res.writeHead(200, {'content-type': 'application/json'});",
        "  res.end(JSON.stringify({Logs: [], ReturnValue: {port: env.FUNCTIONS_CUSTOMHANDLER_PORT, worker: env.FUNCTIONS_CUSTOMHANDLER_WORKER_ID,",
        '    root: env.FUNCTIONS_APP_ROOT_PATH, setting: env.MY_SETTING, runtime: env.FUNCTIONS_WORKER_RUNTIME}})); })',
        "  .listen(Number(env.FUNCTIONS_CUSTOMHANDLER_PORT), '127.0.0.1');",
      ].join('\n')],
      env: { MY_SETTING: 'value' },
    });
    hosts.push(host);
    const result = await host.invoke();
    assert.equal(result.ok, true, result.failureMessage);
    assert.equal(result.returnValue.port, String(host.port()));
    assert.equal(result.returnValue.worker, host.workerId);
    assert.equal(result.returnValue.root, path.resolve(__dirname, '..', '..'));
    assert.equal(result.returnValue.setting, 'value');
    assert.equal(result.returnValue.runtime, 'custom');
  });

  it('sends Content-Length framing on request', async () => {
    const host = await startStub('ok');
    hosts.push(host);
    const result = await host.invoke({ kind: 'manual', framing: 'content-length' });
    assert.equal(result.ok, true, result.failureMessage);
    const posted = echoedRequests(host).find((entry) => entry.method === 'POST');
    assert.equal(posted.headers['transfer-encoding'], undefined);
    assert.equal(Number(posted.headers['content-length']), Buffer.byteLength(posted.body));
  });

  it('sends every timer body kind', async () => {
    const host = await startStub('ok');
    hosts.push(host);
    for (const kind of ['scheduled', 'pastDue', 'manual', 'firstRun', 'localOffsetPastDue', 'nullStatus']) {
      const result = await host.invoke({ kind });
      assert.equal(result.ok, true, `${kind}: ${result.failureMessage}`);
      const timer = Object.values(result.returnValue.echo.Data)[0];
      assert.equal(typeof timer.IsPastDue, 'boolean', kind);
      assert.equal(result.returnValue.echo.Metadata.sys.MethodName, 'MessageTraceTimer', kind);
    }
    const pastDue = JSON.parse(timerBody('pastDue'));
    assert.equal(pastDue.Data.timer.IsPastDue, true);
    const firstRun = JSON.parse(timerBody('firstRun'));
    assert.equal(firstRun.Data.timer.ScheduleStatus.Last, '0001-01-01T00:00:00+00:00');
    assert.equal(JSON.parse(timerBody('nullStatus')).Data.myTimer.ScheduleStatus, null);
  });

  it('runs overlapping invocations', async () => {
    const host = await startStub('slow', { STUB_DELAY_MS: '300' });
    hosts.push(host);
    const startedAt = Date.now();
    const [scheduled, manual] = await Promise.all([
      host.invoke({ kind: 'scheduled' }),
      host.invoke({ kind: 'manual' }),
    ]);
    assert.equal(scheduled.ok, true);
    assert.equal(manual.ok, true);
    assert.notEqual(scheduled.invocationId, manual.invocationId);
    assert.ok(Date.now() - startedAt < 550, 'the two invocations did not overlap');
  });

  it('fails replies the host rejects', async () => {
    const cases = [
      ['text-plain', 'unsupported-media-type'],
      ['empty', 'empty-body'],
      ['status-500', 'non-2xx'],
      ['array', 'not-an-object'],
    ];
    for (const [mode, reason] of cases) {
      const host = await startStub(mode);
      hosts.push(host);
      const result = await host.invoke();
      assert.equal(result.ok, false, mode);
      assert.equal(result.failureReason, reason, mode);
      assert.deepEqual(result.logs, [], mode);
    }
  });

  it('times out and restarts the worker', async () => {
    const host = await startStub('slow', { STUB_DELAY_MS: '5000' }, { functionTimeoutMs: 300 });
    hosts.push(host);
    const firstPid = host.pid();
    const result = await host.invoke();
    assert.equal(result.ok, false);
    assert.equal(result.failureReason, 'timeout');
    assert.equal(host.restarts(), 1);
    assert.notEqual(host.pid(), firstPid);
    assert.equal(host.exits()[0].pid, firstPid);
  });

  it('restarts a worker that exited', async () => {
    const host = await startStub('exit');
    hosts.push(host);
    const crashed = await host.invoke();
    assert.equal(crashed.ok, false);
    assert.equal(crashed.failureReason, 'connection-error');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(host.exits()[0].code, 3);
    const again = await host.invoke();
    assert.equal(host.restarts(), 1);
    assert.equal(again.failureReason, 'connection-error');
  });

  it('rejects a handler that never listens', async () => {
    await assert.rejects(
      startStub('ok', { STUB_READY_DELAY_MS: '5000' }, { initTimeoutMs: 300 }),
      /did not answer GET \/ .* within 300 ms/,
    );
  });

  it('judges replies like the host', () => {
    const ok = judgeReply({ status: 200, contentType: 'text/json', bodyText: '{"logs":["a"],"returnvalue":{"x":1}}' });
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.logs, ['a']);
    assert.deepEqual(ok.returnValue, { x: 1 });
    assert.deepEqual(ok.warnings, ['Outputs is empty']);
    const badLogs = judgeReply({ status: 200, contentType: 'application/json', bodyText: '{"Logs":[1]}' });
    assert.equal(badLogs.failureReason, 'invalid-logs');
    const noType = judgeReply({ status: 200, contentType: null, bodyText: '{"Logs":[]}' });
    assert.equal(noType.failureReason, 'unsupported-media-type');
    const invalid = judgeReply({ status: 200, contentType: 'application/json', bodyText: '{"Logs":' });
    assert.equal(invalid.failureReason, 'invalid-json');
    const accepted = judgeReply({ status: 202, contentType: 'application/json', bodyText: '{"Logs":[]}' });
    assert.equal(accepted.ok, true);
  });
});
