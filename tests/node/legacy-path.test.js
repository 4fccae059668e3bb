'use strict';

// End-to-end tests of the legacy path: the Reporting Web Service source and
// the HTTP Data Collector sink, each paired with the default counterpart,
// against the fakes. Every landed row is compared with the source, column by
// column. Skipped when the handler binary has not been built (cmake --preset
// default && cmake --build --preset default); HANDLER_PATH overrides its
// location.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startFakes } = require('../fakes');
const { generateTenant, expectedTableRows, compareTableRows } = require('../fakes/tenant');
const { parseRfc1123 } = require('../fakes/data-collector');

const HANDLER = path.resolve(process.env.HANDLER_PATH || path.join(__dirname, '..', '..', 'build', 'handler', 'handler'));
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const RUN_TIMEOUT_MS = 120 * 1000;
const skip = fs.existsSync(HANDLER) ? false : `handler binary not found at ${HANDLER}`;

// The columns of interface.md, with the types the table has on either
// ingestion path.
const TABLE_COLUMNS = {
  TimeGenerated: 'datetime',
  Received_t: 'datetime',
  SenderAddress_s: 'string',
  RecipientAddress_s: 'string',
  Subject_s: 'string',
  Status_s: 'string',
  FromIP_s: 'string',
  ToIP_s: 'string',
  Size_d: 'real',
  MessageId_s: 'string',
  MessageTraceId_g: 'string',
};
const UTC_FILTER = /^StartDate eq datetime'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z' and EndDate eq datetime'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z'$/;

/**
 * Runs `handler run` with exactly `env` (plus PATH) and resolves with its
 * exit code, parsed summary and stderr. The child is killed by pid if it
 * outlives the timeout.
 */
function runHandler(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(HANDLER, ['run'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      let summary = null;
      try {
        summary = JSON.parse(out);
      } catch {
        summary = null;
      }
      resolve({ code, signal, summary, stdout: out, stderr: err });
    });
  });
}

/**
 * Generates a tenant whose rows all became visible before the test: no late rows and
 * each row's final status from the start, so that what the source shows
 * cannot change while a run reads it.
 */
function stableTenant({ seed, days = 1, messagesPerDay = 1500, fractionalShare = 0.3 }) {
  const end = Math.floor((Date.now() - 30 * MINUTE_MS) / 1000) * 1000;
  const tenant = generateTenant({
    seed,
    start: end - days * DAY_MS,
    end,
    messagesPerDay,
    fractionalShare,
    transientShare: 0,
    lateness: { minMs: 1000, typicalMaxMs: 5 * MINUTE_MS, lateShare: 0 },
  });
  // The generator can list one external address twice among a message's
  // recipients; message trace has one row per message and recipient, so
  // only the first is kept.
  const seen = new Set();
  tenant.rows = tenant.rows
    .filter((row) => {
      const key = `${row.id}|${row.recipientAddress.toLowerCase()}`;
      if (seen.has(key)) {
        return false;
      }
      seen.add(key);
      return true;
    })
    .map((row) => ({ ...row, statusHistory: [{ at: row.availableAt, status: row.status }] }));
  return tenant;
}

function assertSucceeded(result) {
  assert.equal(result.signal, null, `handler killed by ${result.signal}; stderr:\n${result.stderr}`);
  assert.ok(result.summary, `no run summary on stdout; stderr:\n${result.stderr}`);
  assert.equal(result.summary.status, 'succeeded', `${result.summary.error}\n${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
}

/** Compares every landed row with the source rows of the run's window, column by column. */
function assertLandedExactly(fakes, tenant, summary, { at = Date.now(), transformExpected = (row) => row } = {}) {
  const expected = expectedTableRows(tenant.rows, { at, windowStart: summary.windowStart, windowEnd: summary.windowEnd })
    .map(transformExpected);
  assert.ok(expected.length > 0, 'the window holds no source rows, so the comparison would prove nothing');
  const landed = fakes.ingestedRows();
  const comparison = compareTableRows(landed, expected);
  assert.deepEqual(comparison.missing.slice(0, 3), [], `${comparison.missing.length} rows missing`);
  assert.deepEqual(comparison.unexpected.slice(0, 3), [], `${comparison.unexpected.length} rows unexpected`);
  assert.deepEqual(comparison.duplicates.slice(0, 3), [], `${comparison.duplicates.length} rows doubled`);
  assert.deepEqual(comparison.mismatched.slice(0, 5), [], `${comparison.mismatched.length} cells differ`);
  assert.equal(landed.length, expected.length);
  assert.equal(summary.recordsIngested, expected.length);
  return expected;
}

function assertTableColumns(fakes) {
  const table = fakes.workspace.table(fakes.table);
  assert.ok(table, `table ${fakes.table} was not created`);
  const columns = Object.fromEntries(table.columns.map((column) => [column.name, column.type]));
  assert.deepEqual(columns, TABLE_COLUMNS);
}

function tokenAudiences(fakes) {
  const scopes = fakes.requests('token').map((entry) => entry.form && entry.form.scope).filter(Boolean);
  return [...new Set(scopes)].sort();
}

function legacyEnv(fakes, tenant, overrides = {}) {
  return fakes.env({ MESSAGE_TRACE_START: tenant.start, ...overrides });
}

describe('Reporting Web Service to Data Collector', { skip }, () => {
  const tenant = stableTenant({ seed: 21 });
  // One subject of 40,000 bytes: the handler cuts it to the service's
  // 32,766-byte limit at a character boundary and counts it.
  const longRow = tenant.rows[Math.floor(tenant.rows.length / 2)];
  longRow.subject = '\u00dc'.repeat(20000);
  const cutSubject = '\u00dc'.repeat(16383);
  let fakes;
  let first;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false, reporting: { pageSize: 500 } });
    first = await runHandler(legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'data-collector' }));
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('lands every source row once', () => {
    assertSucceeded(first);
    const cut = (row) => (row.Subject_s === longRow.subject ? { ...row, Subject_s: cutSubject } : row);
    assertLandedExactly(fakes, tenant, first.summary, { transformExpected: cut });
  });

  it('cuts and counts an over-long subject', () => {
    assert.equal(first.summary.fieldsTruncated, 1);
    const landed = fakes.ingestedRows().filter((row) => row.RecipientAddress_s === longRow.recipientAddress &&
      row.MessageTraceId_g === longRow.id);
    assert.equal(landed.length, 1);
    assert.equal(Buffer.byteLength(landed[0].Subject_s, 'utf8'), 32766);
  });

  it('creates exactly the table columns', () => {
    assertTableColumns(fakes);
  });

  it('reads every page with UTC whole-second filters', () => {
    const pages = fakes.requests('reporting');
    assert.ok(pages.length > 2, `only ${pages.length} pages were read`);
    assert.deepEqual(pages.filter((entry) => entry.status !== 200).map((entry) => `${entry.status} ${entry.filter}`), []);
    assert.ok(pages.some((entry) => entry.query.$skiptoken !== undefined), 'no relative next link was followed');
    for (const filter of fakes.reporting.filters()) {
      assert.match(filter, UTC_FILTER);
    }
    assert.equal(pages.filter((entry) => entry.atom).length, 0, 'a request lacked Accept: application/json');
    assert.ok(pages.every((entry) => entry.auth === 'ok'));
  });

  it('signs every post correctly', () => {
    assert.deepEqual(fakes.dataCollector.rejections(), []);
    const posts = fakes.dataCollector.posts();
    assert.ok(posts.length > 0);
    for (const post of posts) {
      assert.equal(post.logType, fakes.logType);
      assert.equal(post.timeGeneratedField, 'Received');
      assert.ok(post.bytes <= 30 * 1000 * 1000);
    }
    assert.deepEqual(fakes.dataCollector.diagnostics().filter((entry) => !/replaced by the receive time/.test(entry.problem)), []);
  });

  it('asks for the reporting and query audiences only', () => {
    assert.deepEqual(tokenAudiences(fakes), ['https://api.loganalytics.io/.default', 'https://outlook.office365.com/.default']);
  });

  it('second run lands nothing twice', async () => {
    const landed = fakes.ingestedRows().length;
    const second = await runHandler(legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'data-collector' }));
    assertSucceeded(second);
    const comparison = compareTableRows(fakes.ingestedRows(), []);
    assert.deepEqual(comparison.duplicates.slice(0, 3), []);
    assert.equal(fakes.ingestedRows().length, landed);
  });
});

describe('Graph to Data Collector', { skip }, () => {
  // About 6000 rows, more than one Graph page of 5000.
  const tenant = stableTenant({ seed: 22 });
  let fakes;
  let result;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false });
    result = await runHandler(legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'graph', INGESTION_API: 'data-collector' }));
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('lands every source row once', () => {
    assertSucceeded(result);
    assertLandedExactly(fakes, tenant, result.summary);
  });

  it('reads more than one Graph page', () => {
    const pages = fakes.requests('graph');
    assert.ok(pages.filter((entry) => entry.query.$skiptoken !== undefined).length >= 1, 'no next link was followed');
    assert.deepEqual(pages.filter((entry) => entry.status !== 200).map((entry) => `${entry.status} ${entry.error}`), []);
  });

  it('creates exactly the table columns', () => {
    assertTableColumns(fakes);
    assert.deepEqual(fakes.dataCollector.rejections(), []);
  });
});

describe('Reporting Web Service to Logs Ingestion', { skip }, () => {
  const tenant = stableTenant({ seed: 23 });
  let fakes;
  let result;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, reporting: { pageSize: 700, nextLinks: 'absolute' } });
    result = await runHandler(legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'logs-ingestion' }));
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('lands every source row once', () => {
    assertSucceeded(result);
    assertLandedExactly(fakes, tenant, result.summary);
  });

  it('follows absolute next links', () => {
    const pages = fakes.requests('reporting');
    assert.ok(pages.filter((entry) => entry.query.$skiptoken !== undefined).length >= 2);
    assert.deepEqual(pages.filter((entry) => entry.status !== 200).map((entry) => entry.status), []);
    assert.deepEqual(fakes.ingestion.diagnostics().filter((entry) => !/replaced by the receive time/.test(entry.problem)), []);
  });
});

describe('Reporting Web Service verbose shape', { skip }, () => {
  // Verbose pages carry /Date(ms)/, so source times are whole seconds here
  // and survive the millisecond form unchanged.
  const tenant = stableTenant({ seed: 24, messagesPerDay: 400, fractionalShare: 0 });
  let fakes;
  let result;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false, reporting: { shape: 'verbose', pageSize: 300, emptyLastPage: true } });
    result = await runHandler(legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'data-collector' }));
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('lands every source row once and stops on the empty page', () => {
    assertSucceeded(result);
    assertLandedExactly(fakes, tenant, result.summary);
    const pages = fakes.requests('reporting');
    assert.ok(pages.length >= 3);
    assert.equal(pages[pages.length - 1].rowsReturned, 0, 'the last request did not read the empty page');
  });
});

describe('legacy path under a German locale and an Indian time zone', { skip }, () => {
  const tenant = stableTenant({ seed: 25, days: 0.5, messagesPerDay: 800 });
  let fakes;
  let result;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false, reporting: { pageSize: 400 } });
    result = await runHandler(legacyEnv(fakes, tenant, {
      MESSAGE_TRACE_SOURCE: 'reporting',
      INGESTION_API: 'data-collector',
      LC_ALL: 'de_DE.UTF-8',
      LANG: 'de_DE.UTF-8',
      TZ: 'Asia/Kolkata',
    }));
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('lands every row with unchanged times', () => {
    assertSucceeded(result);
    assertLandedExactly(fakes, tenant, result.summary);
  });

  it('sends the exact UTC filter', () => {
    const { windowStart, windowEnd } = result.summary;
    assert.match(windowStart, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(fakes.reporting.filters()[0], `StartDate eq datetime'${windowStart}' and EndDate eq datetime'${windowEnd}'`);
    for (const filter of fakes.reporting.filters()) {
      assert.match(filter, UTC_FILTER);
    }
  });

  it('signs every post with an English GMT date', () => {
    assert.deepEqual(fakes.dataCollector.rejections(), []);
    const posts = fakes.dataCollector.posts();
    assert.ok(posts.length > 0);
    for (const post of posts) {
      assert.notEqual(parseRfc1123(post.date), null, post.date);
      assert.ok(Math.abs(parseRfc1123(post.date) - post.ingestedAt) < 5 * MINUTE_MS, post.date);
    }
  });
});

describe('legacy path failures', { skip }, () => {
  const tenant = stableTenant({ seed: 26, days: 0.25, messagesPerDay: 800 });
  let fakes;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false, reporting: { pageSize: 100 } });
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  const reportingToCollector = (overrides = {}) =>
    legacyEnv(fakes, tenant, { MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'data-collector', ...overrides });

  it('missing permission fails with the fix and lands nothing', async () => {
    fakes.reporting.inject('segmentNotFound', { times: Infinity });
    const result = await runHandler(reportingToCollector());
    fakes.clearFaults();
    assert.equal(result.summary.status, 'failed');
    assert.notEqual(result.code, 0);
    assert.match(result.summary.error, /ReportingWebService\.Read\.All/);
    assert.match(result.summary.error, /Global Reader or Security Reader/);
    assert.equal(fakes.ingestedRows().length, 0);
  });

  it('HTML sign-in page on a later page fails and lands nothing', async () => {
    fakes.reporting.inject('htmlPage', { match: (entry) => entry.query.$skiptoken !== undefined, times: Infinity });
    const result = await runHandler(reportingToCollector());
    fakes.clearFaults();
    assert.equal(result.summary.status, 'failed');
    assert.match(result.summary.error, /instead of JSON/);
    assert.equal(fakes.ingestedRows().length, 0);
  });

  it('wrong shared key fails with the causes and lands nothing', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const result = await runHandler(reportingToCollector({ DATA_COLLECTOR_SHARED_KEY: wrongKey }));
    assert.equal(result.summary.status, 'failed');
    assert.match(result.summary.error, /403/);
    assert.match(result.summary.error, /DATA_COLLECTOR_SHARED_KEY/);
    assert.ok(!result.stderr.includes(wrongKey), 'the key reached the log');
    assert.ok(!result.stdout.includes(wrongKey), 'the key reached the summary');
    assert.equal(fakes.ingestedRows().length, 0);
    assert.equal(fakes.dataCollector.rejections().length, 1, 'a 403 was retried');
  });

  it('undecodable shared key is a settings error', async () => {
    const postsBefore = fakes.dataCollector.requests().length;
    const pagesBefore = fakes.reporting.requests().length;
    const result = await runHandler(reportingToCollector({ DATA_COLLECTOR_SHARED_KEY: 'abc def' }));
    assert.equal(result.summary.status, 'failed');
    assert.match(result.summary.error, /DATA_COLLECTOR_SHARED_KEY is not valid base64/);
    assert.ok(!result.summary.error.includes('abc def'));
    assert.equal(fakes.dataCollector.requests().length, postsBefore);
    assert.equal(fakes.reporting.requests().length, pagesBefore);
  });

  it('after the failures the next run lands every row', async () => {
    const result = await runHandler(reportingToCollector());
    assertSucceeded(result);
    assertLandedExactly(fakes, tenant, result.summary);
  });

});

describe('Reporting Web Service look-back', { skip }, () => {
  const tenant = stableTenant({ seed: 27, days: 0.25, messagesPerDay: 400 });
  let fakes;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, createTable: false });
  });
  after(async () => {
    if (fakes) {
      await fakes.stop();
    }
  });

  it('start older than 10 days is moved forward with a warning', async () => {
    const old = new Date(Date.now() - 20 * DAY_MS).toISOString();
    const result = await runHandler(fakes.env({
      MESSAGE_TRACE_START: old, MESSAGE_TRACE_SOURCE: 'reporting', INGESTION_API: 'data-collector',
    }));
    assertSucceeded(result);
    const warning = result.stderr.split('\n').find((line) => line.includes('cannot be collected'));
    assert.ok(warning, `no look-back warning in:\n${result.stderr}`);
    assert.match(warning, /MESSAGE_TRACE_START/);
    assert.match(warning, /10 days/);
    assert.match(warning, /MESSAGE_TRACE_SOURCE=graph/);
    const rejected = fakes.requests('reporting').filter((entry) => entry.status === 400);
    assert.deepEqual(rejected.map((entry) => entry.filter), []);
    assert.ok(fakes.reporting.filters().length > 0);
    assertLandedExactly(fakes, tenant, result.summary);
  });
});
