'use strict';

// End-to-end tests of the handler binary against the fakes. Skipped when the
// binary has not been built (cmake --preset default && cmake --build --preset
// default); HANDLER_PATH overrides its location.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { startFakes } = require('../fakes');
const { generateTenant, expectedTableRows, compareTableRows } = require('../fakes/tenant');
const { startHost } = require('../host/host-emulator');

const HANDLER = path.resolve(process.env.HANDLER_PATH || path.join(__dirname, '..', '..', 'build', 'handler', 'handler'));
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const skip = fs.existsSync(HANDLER) ? false : `handler binary not found at ${HANDLER}`;

/** Runs `handler run` without blocking the event loop that serves the fakes. */
function runHandler(env) {
  return new Promise((resolve) => {
    execFile(HANDLER, ['run'], { env: { PATH: process.env.PATH, ...env }, timeout: 120 * 1000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

describe('handler end to end', { skip }, () => {
  const end = Math.floor((Date.now() - 5 * MINUTE_MS) / 1000) * 1000;
  const tenant = generateTenant({
    seed: 7,
    start: end - DAY_MS,
    end,
    messagesPerDay: 1500,
    lateness: { minMs: 10 * 1000, typicalMaxMs: 2 * MINUTE_MS, lateShare: 0 },
    settleMs: { min: 30 * 1000, max: MINUTE_MS },
  });
  let fakes;
  let host;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    host = await startHost({ handlerPath: HANDLER, env: fakes.env(), functionTimeoutMs: 5 * MINUTE_MS });
  });
  after(async () => {
    if (host) {
      await host.stop();
    }
    if (fakes) {
      await fakes.stop();
    }
  });

  it('timer run ingests every row', async () => {
    const result = await host.invoke({ kind: 'scheduled' });
    assert.equal(result.ok, true, `${result.failureReason}: ${result.failureMessage}`);
    const summary = result.returnValue;
    assert.equal(summary.status, 'succeeded', summary.error);
    const expected = expectedTableRows(tenant.rows, {
      at: Date.now(), windowStart: summary.windowStart, windowEnd: summary.windowEnd,
    });
    const comparison = compareTableRows(fakes.ingestedRows(), expected);
    assert.equal(comparison.missing.length, 0, 'missing rows');
    assert.equal(comparison.unexpected.length, 0, 'unexpected rows');
    assert.equal(comparison.duplicates.length, 0, 'duplicate rows');
    assert.deepEqual(comparison.mismatched.slice(0, 5), []);
    assert.equal(summary.recordsIngested, expected.length);
  });

  it('batches stay within 1 MB', () => {
    const batches = fakes.ingestion.batches();
    assert.ok(batches.length > 0);
    for (const batch of batches) {
      assert.ok(batch.decodedBytes <= 1048576, `batch of ${batch.decodedBytes} bytes`);
    }
    assert.deepEqual(fakes.ingestion.diagnostics().filter((entry) => !/replaced by the receive time/.test(entry.problem)), []);
  });

  it('requests one token per audience', () => {
    const audiences = fakes.requests('token').map((entry) => entry.form && entry.form.scope).filter(Boolean);
    assert.deepEqual([...new Set(audiences)].sort(), [
      'https://api.loganalytics.io/.default',
      'https://graph.microsoft.com/.default',
      'https://monitor.azure.com/.default',
    ]);
  });

  it('follows next links verbatim', () => {
    const rejected = fakes.requests('graph').filter((entry) => entry.status === 400);
    assert.deepEqual(rejected.map((entry) => entry.error), []);
  });

  it('second run ingests no duplicates', async () => {
    const before = fakes.ingestedRows().length;
    const result = await host.invoke({ kind: 'scheduled' });
    assert.equal(result.ok, true, `${result.failureReason}: ${result.failureMessage}`);
    const comparison = compareTableRows(fakes.ingestedRows(), []);
    assert.equal(comparison.duplicates.length, 0);
    assert.ok(fakes.ingestedRows().length >= before);
  });

  it('handler run prints the run summary', async () => {
    const result = await runHandler(fakes.env());
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    for (const key of ['status', 'windowStart', 'windowEnd', 'recordsFetched', 'recordsIngested', 'duplicatesSkipped', 'error']) {
      assert.ok(key in summary, `summary lacks ${key}`);
    }
    assert.equal(summary.status, 'succeeded');
  });
});
