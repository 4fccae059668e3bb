'use strict';

// Acceptance tests of exactly-once delivery on the real handler binary.
// They cover a first run into a missing table, recovery after the checkpoint
// or all state is lost, the time budget under throttling, a delivery record
// that fails to save, and runs that overlap in two processes or in one.
// Each test runs `handler run` (or the serving handler behind the host
// emulator) against the fakes and a real Azurite, under libfaketime when it
// needs a later virtual time.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakes } = require('../fakes');
const { startAzurite } = require('../fakes/azurite');
const { generateTenant, expectedTableRows, compareTableRows } = require('../fakes/tenant');
const { parseTicks } = require('../fakes/time');
const { createBlobAdmin } = require('../chaos/blob-admin');
const { startStorageProxy } = require('../chaos/storage-proxy');
const {
  handlerUnavailable, runHandler, startRun, startHostAt, missingSummaryKeys,
} = require('../chaos/handler-process');

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const skip = handlerUnavailable();

// Resources each test starts; stopped after it whatever its outcome.
const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) {
    await cleanups.pop()();
  }
});

/**
 * A tenant whose rows are visible within 50 seconds of receipt (before the
 * handler's 60-second end delay) and never change status, so that every run
 * must land exactly the rows received up to its window end.
 */
function steadyTenant({ seed, start, end, messagesPerDay = 1200 }) {
  const tenant = generateTenant({
    seed,
    start,
    end,
    messagesPerDay,
    lateness: { minMs: 0, typicalMaxMs: 20 * 1000, lateShare: 0 },
    transientShare: 0,
  });
  for (const row of tenant.rows) {
    row.statusHistory = [{ at: row.availableAt, status: row.status }];
  }
  return tenant;
}

async function startTestFakes(options) {
  const fakes = await startFakes(options);
  cleanups.push(() => fakes.stop());
  return fakes;
}

/** Rounds a time to whole seconds, as faketime offsets are. */
function wholeSecond(ms) {
  return Math.floor(ms / 1000) * 1000;
}

/** Runs `handler run` at `offsetMs` after moving the fakes' clock there too. */
async function runAt(fakes, offsetMs, envOverrides = {}) {
  fakes.clock.setOffset(offsetMs);
  const result = await runHandler(fakes.env(envOverrides), { offsetMs });
  assert.ok(result.summary, `handler run printed no run summary (exit ${result.code}):\n${result.stderr}`);
  assert.deepEqual(missingSummaryKeys(result.summary), []);
  return result;
}

function rowsUpTo(tenant, windowEnd) {
  const end = parseTicks(windowEnd);
  return tenant.rows.filter((row) => parseTicks(row.receivedDateTime) <= end);
}

/** Asserts that the table contains exactly the tenant's rows received up to `windowEnd`, once each. */
function assertTableHolds(fakes, tenant, windowEnd) {
  const expected = expectedTableRows(tenant.rows, { at: fakes.clock.now(), windowEnd });
  const comparison = compareTableRows(fakes.ingestedRows(), expected);
  assert.equal(comparison.duplicates.length, 0, `doubled rows: ${comparison.duplicates.slice(0, 3).join(', ')}`);
  assert.equal(comparison.missing.length, 0, 'lost rows');
  assert.equal(comparison.unexpected.length, 0, 'rows outside the window');
  assert.deepEqual(comparison.mismatched.slice(0, 3), []);
  assert.equal(fakes.ingestedRows().length, expected.length);
  return expected;
}

describe('exactly-once delivery', { skip }, () => {
  it('first run creates the table', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 11, start: now - 3 * HOUR_MS, end: now });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start, createTable: false });
    assert.equal(fakes.workspace.hasTable(fakes.table), false);

    const { code, summary } = await runAt(fakes, 0);

    assert.equal(code, 0);
    assert.equal(summary.status, 'succeeded', summary.error);
    assert.equal(summary.watermark, null);
    assert.equal(fakes.workspace.hasTable(fakes.table), true);
    const expected = assertTableHolds(fakes, tenant, summary.windowEnd);
    assert.equal(expected.length, rowsUpTo(tenant, summary.windowEnd).length);
    assert.equal(summary.recordsIngested, expected.length);
    assert.equal(summary.duplicatesSkipped, 0);
    const checkpoint = await createBlobAdmin(fakes.azurite).readCheckpoint(fakes.table);
    assert.equal(parseTicks(checkpoint.frontier), parseTicks(summary.windowEnd));
    assert.deepEqual(checkpoint.pending, []);
  });

  it('deleted checkpoint doubles no rows', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 12, start: now - 6 * HOUR_MS, end: now + 2 * HOUR_MS });
    // Rows become queryable 10 minutes after ingestion, so the watermark that
    // seeds the lost checkpoint misses the rows of the run just before.
    const fakes = await startTestFakes({
      rows: tenant.rows, messageTraceStart: tenant.start, queryLagMs: 10 * MINUTE_MS,
    });
    const admin = createBlobAdmin(fakes.azurite);

    const first = await runAt(fakes, 0);
    assert.equal(first.summary.status, 'succeeded', first.summary.error);
    const second = await runAt(fakes, HOUR_MS);
    assert.equal(second.summary.status, 'succeeded', second.summary.error);
    assert.ok(second.summary.recordsIngested > 0, 'the second run should land the last hour of mail');

    assert.equal(await admin.remove(`${fakes.table}/checkpoint.json`), true);
    const ledger = await admin.list(`${fakes.table}/delivered/`);
    assert.ok(ledger.length > 0, 'delivery records should survive the checkpoint');

    const third = await runAt(fakes, HOUR_MS + 5 * MINUTE_MS);
    const { summary } = third;
    assert.equal(summary.status, 'succeeded', summary.error);
    assert.match(third.stderr, /no checkpoint/);
    // The watermark lags behind the second run's rows, so the third run
    // re-reads them and skips them through the delivery records.
    assert.ok(parseTicks(summary.watermark) <= parseTicks(first.summary.windowEnd),
      `watermark ${summary.watermark} should predate the second run's rows`);
    assert.ok(summary.duplicatesSkipped >= second.summary.recordsIngested,
      `${summary.duplicatesSkipped} skipped, ${second.summary.recordsIngested} delivered by the second run`);
    const newRows = rowsUpTo(tenant, summary.windowEnd).length - rowsUpTo(tenant, second.summary.windowEnd).length;
    assert.equal(summary.recordsIngested, newRows);
    assertTableHolds(fakes, tenant, summary.windowEnd);
  });

  it('all state lost doubles no rows', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 13, start: now - 4 * HOUR_MS, end: now + 2 * HOUR_MS });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start });

    const first = await runAt(fakes, 0);
    assert.equal(first.summary.status, 'succeeded', first.summary.error);
    const second = await runAt(fakes, 30 * MINUTE_MS);
    assert.equal(second.summary.status, 'succeeded', second.summary.error);

    // A new, empty storage account: no checkpoint, no delivery records and
    // no lease. Only the workspace remembers what landed.
    const freshStorage = await startAzurite();
    cleanups.push(() => freshStorage.stop());
    const third = await runAt(fakes, HOUR_MS, { AzureWebJobsStorage: freshStorage.connectionString });
    const { summary } = third;

    assert.equal(summary.status, 'succeeded', summary.error);
    assert.match(third.stderr, /no checkpoint/);
    assert.ok(parseTicks(summary.watermark) <= parseTicks(second.summary.windowEnd));
    const newRows = rowsUpTo(tenant, summary.windowEnd).length - rowsUpTo(tenant, second.summary.windowEnd).length;
    assert.equal(summary.recordsIngested, newRows);
    assertTableHolds(fakes, tenant, summary.windowEnd);
  });

  it('budget holds under throttling', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 14, start: now - 3 * HOUR_MS, end: now + HOUR_MS });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    const budget = { MESSAGE_TRACE_TIME_BUDGET: '00:00:40' };
    const budgetMs = 40 * 1000;

    const first = await runAt(fakes, 0, budget);
    assert.equal(first.summary.status, 'succeeded', first.summary.error);

    // Two waits the run can afford, then a Retry-After longer than what is
    // left of its budget.
    fakes.graph.inject('throttle', { retryAfter: 5, times: 2 });
    fakes.graph.inject('throttle', { retryAfter: 120, times: Infinity });
    const throttled = await runAt(fakes, 30 * MINUTE_MS, budget);

    assert.equal(throttled.summary.status, 'partial');
    assert.equal(throttled.code, 3);
    assert.match(throttled.summary.error, /time budget/);
    assert.ok(throttled.durationMs >= 9 * 1000, `the run waited only ${throttled.durationMs} ms`);
    assert.ok(throttled.durationMs < budgetMs, `the run took ${throttled.durationMs} ms of a ${budgetMs} ms budget`);
    const throttledRequests = fakes.graph.requests().filter((entry) => entry.status === 429);
    assert.equal(throttledRequests.length, 3);

    fakes.clearFaults();
    const recovered = await runAt(fakes, 35 * MINUTE_MS, budget);
    assert.equal(recovered.summary.status, 'succeeded', recovered.summary.error);
    assertTableHolds(fakes, tenant, recovered.summary.windowEnd);
  });

  it('lease admits one of two processes', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 15, start: now - 2 * HOUR_MS, end: now });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    // The run that gets the lease waits 4 s for its first Graph page, so the
    // other one certainly finds the lease taken.
    fakes.graph.inject('delay', { ms: 4000, times: 1 });

    const env = fakes.env();
    const results = await Promise.all([startRun(env).done, startRun(env).done]);

    for (const result of results) {
      assert.ok(result.summary, `a run printed no run summary (exit ${result.code}):\n${result.stderr}`);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.summary.status, 'succeeded', result.summary.error);
    }
    const skipped = results.filter((result) => result.summary.skipped);
    const worked = results.filter((result) => !result.summary.skipped);
    assert.equal(skipped.length, 1);
    assert.equal(worked.length, 1);
    assert.equal(skipped[0].summary.recordsFetched, 0);
    assert.equal(skipped[0].summary.recordsIngested, 0);
    assert.match(skipped[0].stderr, /another run holds the lease/);
    // It returns while the other still waits for its delayed Graph page.
    assert.ok(skipped[0].durationMs < 4000, `the skipped run took ${skipped[0].durationMs} ms`);
    assert.ok(worked[0].durationMs >= 4000);

    const expected = assertTableHolds(fakes, tenant, worked[0].summary.windowEnd);
    assert.equal(worked[0].summary.recordsIngested, expected.length);
    assert.equal(fakes.ingestion.batches().reduce((sum, batch) => sum + batch.records, 0), expected.length);
  });

  it('manual run beside a scheduled one is skipped', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 16, start: now - 2 * HOUR_MS, end: now });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    const host = await startHostAt(fakes.env(), { offsetMs: 0 });
    cleanups.push(() => host.stop());
    fakes.graph.inject('delay', { ms: 4000, times: 1 });

    let scheduledDone = false;
    const scheduled = host.invoke({ kind: 'scheduled' }).finally(() => {
      scheduledDone = true;
    });
    const deadline = Date.now() + 10 * 1000;
    while (fakes.graph.requests().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(fakes.graph.requests().length, 1, 'the scheduled run should be waiting for Graph');
    const manual = await host.invoke({ kind: 'manual' });

    assert.equal(manual.ok, true, `${manual.failureReason}: ${manual.failureMessage}`);
    assert.equal(manual.status, 200);
    assert.equal(manual.returnValue.skipped, true);
    assert.equal(manual.returnValue.status, 'succeeded');
    assert.equal(manual.returnValue.recordsIngested, 0);
    assert.ok(manual.logs.some((line) => /another collection is already running in this process/.test(line)),
      manual.logs.join('\n'));
    assert.equal(scheduledDone, false, 'the manual run should return while the scheduled one runs');

    const first = await scheduled;
    assert.equal(first.ok, true, `${first.failureReason}: ${first.failureMessage}`);
    assert.equal(first.returnValue.skipped, false);
    assert.equal(first.returnValue.status, 'succeeded', first.returnValue.error);
    const expected = assertTableHolds(fakes, tenant, first.returnValue.windowEnd);
    assert.equal(first.returnValue.recordsIngested, expected.length);
  });

  it('failed delivery record doubles no rows', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 17, start: now - 2 * HOUR_MS, end: now + HOUR_MS });
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start });
    const proxy = await startStorageProxy(fakes.azurite);
    cleanups.push(() => proxy.stop());
    const storage = { AzureWebJobsStorage: proxy.connectionString };

    // The batch lands (204), then every attempt to record it in the
    // delivery records fails: its rows must stay pending, not be sent again.
    const ledgerFault = proxy.inject({
      kind: 'status', status: 503, times: 5, match: (entry) => entry.method === 'PUT' && entry.path.includes('/delivered/'),
    });
    const first = await runAt(fakes, 0, storage);
    assert.equal(first.summary.status, 'failed');
    assert.match(first.summary.error, /delivered\/.*503/);
    assert.equal(ledgerFault.remaining, 0);
    const landed = fakes.ingestedRows().length;
    assert.ok(landed > 0, 'the batch should have landed before its record failed');
    const checkpoint = await createBlobAdmin(fakes.azurite).readCheckpoint(fakes.table);
    assert.equal(checkpoint.pending.length, 1);
    assert.equal(checkpoint.pending[0].rowCount, landed);

    // Within the ingestion lag the batch's outcome is unknown: its rows are skipped.
    const second = await runAt(fakes, 5 * MINUTE_MS, storage);
    assert.equal(second.summary.status, 'succeeded', second.summary.error);
    assert.ok(second.summary.duplicatesSkipped >= landed);
    assert.equal(fakes.ingestedRows().length, landed + second.summary.recordsIngested);

    // After it, a count query finds the rows and the batch is recorded as delivered.
    const third = await runAt(fakes, 20 * MINUTE_MS, storage);
    assert.equal(third.summary.status, 'succeeded', third.summary.error);
    assert.match(third.stderr, /is in the workspace; recording it as delivered/);
    const countQueries = fakes.query.queries().filter((query) => /\| count$/.test(query.text));
    assert.equal(countQueries.length, 1);
    assert.deepEqual(countQueries[0].rows, [[3]]);
    assert.deepEqual((await createBlobAdmin(fakes.azurite).readCheckpoint(fakes.table)).pending, []);
    assertTableHolds(fakes, tenant, third.summary.windowEnd);
  });

  it('slowly accepted batch is not resent', async () => {
    const now = wholeSecond(Date.now());
    const tenant = steadyTenant({ seed: 18, start: now - 2 * HOUR_MS, end: now + HOUR_MS });
    // The workspace's query lag equals the handler's default ingestion lag.
    const fakes = await startTestFakes({ rows: tenant.rows, messageTraceStart: tenant.start, queryLagMs: 15 * MINUTE_MS });
    const timeout = { MESSAGE_TRACE_HTTP_TIMEOUT: '10' };

    // The service accepts the batch 8 s after the request, then the connection drops.
    fakes.ingestion.inject('delay', { ms: 8000, then: { kind: 'lostReply' } });
    const first = await runAt(fakes, 0, timeout);
    assert.equal(first.summary.status, 'partial');
    const landed = fakes.ingestedRows().length;
    assert.ok(landed > 0);
    const checkpoint = await createBlobAdmin(fakes.azurite).readCheckpoint(fakes.table);
    assert.equal(checkpoint.pending.length, 1);

    // One second after sentAt + 15 minutes the batch's rows are still 7 s
    // from queryable, so the check must wait.
    const sentAt = Date.parse(checkpoint.pending[0].sentAt);
    const offsetMs = Math.ceil((sentAt + 15 * MINUTE_MS + 1000 - Date.now()) / 1000) * 1000;
    const second = await runAt(fakes, offsetMs, timeout);
    assert.doesNotMatch(second.stderr, /never landed; sending it again/);
    assert.match(second.stderr, /has an unknown outcome/);

    // Past the request's whole time allowance (two timeouts) the check runs.
    const lateOffsetMs = Math.ceil((sentAt + 15 * MINUTE_MS + 21 * 1000 - Date.now()) / 1000) * 1000;
    const third = await runAt(fakes, lateOffsetMs, timeout);
    assert.equal(third.summary.status, 'succeeded', third.summary.error);
    assert.doesNotMatch(third.stderr, /never landed; sending it again/);
    assert.match(third.stderr, /is in the workspace; recording it as delivered/);
    assertTableHolds(fakes, tenant, second.summary.windowEnd);
  });
});
