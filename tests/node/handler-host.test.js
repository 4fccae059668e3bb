'use strict';

// The real handler under the Functions host emulator: readiness, both body
// framings, every timer body the host sends, the reply shape, a failing
// collection and overlapping invocations.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startFakes } = require('../fakes');
const { generateTenant, expectedTableRows, compareTableRows } = require('../fakes/tenant');
const { startHost } = require('../host/host-emulator');

const HANDLER = path.resolve(process.env.HANDLER_PATH || path.join(__dirname, '..', '..', 'build', 'handler', 'handler'));
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const skip = fs.existsSync(HANDLER) ? false : `handler binary not found at ${HANDLER}`;

function makeTenant(seed) {
  const end = Math.floor((Date.now() - 5 * MINUTE_MS) / 1000) * 1000;
  return generateTenant({
    seed,
    start: end - 6 * HOUR_MS,
    end,
    messagesPerDay: 2000,
    lateness: { minMs: 1000, typicalMaxMs: MINUTE_MS, lateShare: 0 },
    settleMs: { min: 1000, max: 2000 },
  });
}

function assertReplyShape(result) {
  assert.equal(result.ok, true, `${result.failureReason}: ${result.failureMessage}`);
  assert.equal(result.status, 200);
  assert.match(result.contentType, /^application\/json/);
  assert.deepEqual(result.reply.Outputs, {});
  assert.ok(Array.isArray(result.reply.Logs));
  assert.ok(result.reply.Logs.every((line) => typeof line === 'string'));
  for (const key of ['status', 'windowStart', 'windowEnd', 'recordsFetched', 'recordsIngested', 'duplicatesSkipped', 'error']) {
    assert.ok(key in result.returnValue, `ReturnValue lacks ${key}`);
  }
}

describe('handler under the host emulator', { skip }, () => {
  const tenant = makeTenant(11);
  let fakes;
  let host;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    host = await startHost({ handlerPath: HANDLER, env: fakes.env(), functionTimeoutMs: 5 * MINUTE_MS });
  });
  after(async () => {
    if (host) await host.stop();
    if (fakes) await fakes.stop();
  });

  it('answers the readiness probe', async () => {
    assert.equal(await host.ping(), 200);
  });

  it('chunked timer run lands every row', async () => {
    const result = await host.invoke({ kind: 'firstRun', framing: 'chunked' });
    assertReplyShape(result);
    const summary = result.returnValue;
    assert.equal(summary.status, 'succeeded', summary.error);
    assert.equal(summary.skipped, false);
    const expected = expectedTableRows(tenant.rows, { at: Date.now(), windowStart: tenant.start, windowEnd: summary.windowEnd });
    const comparison = compareTableRows(fakes.ingestedRows(), expected);
    assert.equal(comparison.missing.length, 0);
    assert.equal(comparison.duplicates.length, 0);
    assert.equal(comparison.unexpected.length, 0);
    assert.equal(summary.recordsIngested + summary.heldBack, summary.recordsFetched);
    assert.ok(result.reply.Logs.some((line) => line.startsWith('info: run succeeded')));
  });

  it('content-length timer run succeeds', async () => {
    const result = await host.invoke({ kind: 'scheduled', framing: 'content-length' });
    assertReplyShape(result);
    assert.equal(result.returnValue.status, 'succeeded', result.returnValue.error);
  });

  for (const kind of ['pastDue', 'manual', 'localOffsetPastDue', 'nullStatus']) {
    it(`${kind} body never fails a run`, async () => {
      const result = await host.invoke({ kind });
      assertReplyShape(result);
      assert.equal(result.returnValue.status, 'succeeded', result.returnValue.error);
      assert.equal(compareTableRows(fakes.ingestedRows(), []).duplicates.length, 0);
    });
  }

  it('overlapping invocation is skipped', async () => {
    // Slow the scheduled run down so that the manual one arrives during it.
    fakes.query.inject('delay', { ms: 2000 });
    const scheduled = host.invoke({ kind: 'scheduled' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const manual = await host.invoke({ kind: 'manual' });
    const first = await scheduled;

    assertReplyShape(first);
    assertReplyShape(manual);
    assert.equal(first.returnValue.skipped, false);
    assert.equal(manual.returnValue.skipped, true);
    assert.equal(manual.returnValue.recordsIngested, 0);
    assert.ok(manual.reply.Logs.some((line) => /already running/.test(line)), manual.reply.Logs.join('\n'));
    assert.equal(compareTableRows(fakes.ingestedRows(), []).duplicates.length, 0);
  });

  it('keeps serving after a run', async () => {
    assert.equal(await host.ping(), 200);
    assert.equal(host.exits().length, 0);
  });
});

describe('handler with a failing collection', { skip }, () => {
  let fakes;
  let host;

  before(async () => {
    fakes = await startFakes({ rows: makeTenant(12).rows });
    host = await startHost({
      handlerPath: HANDLER,
      env: fakes.env({ AZURE_CLIENT_SECRET: 'not-the-secret' }),
      functionTimeoutMs: 2 * MINUTE_MS,
    });
  });
  after(async () => {
    if (host) await host.stop();
    if (fakes) await fakes.stop();
  });

  it('replies 500 with the reason on stderr', async () => {
    const result = await host.invoke({ kind: 'scheduled' });
    assert.equal(result.ok, false);
    assert.equal(result.status, 500);
    assert.equal(result.failureReason, 'non-2xx');
    // The host discards the body of a failed reply, so the reason must be on stderr.
    const stderr = result.output.filter((line) => line.stream === 'stderr').map((line) => line.text).join('\n');
    assert.match(stderr, /AADSTS7000215/);
    assert.match(stderr, /AZURE_CLIENT_SECRET/);
    assert.doesNotMatch(stderr, /not-the-secret/);
    // The body is still the JSON reply, never empty.
    const body = JSON.parse(result.body);
    assert.equal(body.ReturnValue.status, 'failed');
    assert.match(body.ReturnValue.error, /AADSTS7000215/);
    assert.equal(fakes.ingestedRows().length, 0);
  });

  it('keeps serving after a failed run', async () => {
    assert.equal(await host.ping(), 200);
    assert.equal(host.exits().length, 0);
  });
});

describe('handler with invalid settings', { skip }, () => {
  let fakes;
  let host;

  before(async () => {
    fakes = await startFakes({ rows: [] });
    host = await startHost({
      handlerPath: HANDLER,
      env: fakes.env({ LOG_ANALYTICS_WORKSPACE_ID: 'my-workspace' }),
      functionTimeoutMs: MINUTE_MS,
    });
  });
  after(async () => {
    if (host) await host.stop();
    if (fakes) await fakes.stop();
  });

  it('fails each run naming the setting, sending nothing', async () => {
    const startup = host.stderr().join('\n');
    assert.match(startup, /LOG_ANALYTICS_WORKSPACE_ID is invalid: 'my-workspace'/);
    const result = await host.invoke({ kind: 'scheduled' });
    assert.equal(result.status, 500);
    assert.match(JSON.parse(result.body).ReturnValue.error, /LOG_ANALYTICS_WORKSPACE_ID/);
    assert.equal(fakes.requests().length, 0);
  });
});
