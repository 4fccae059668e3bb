'use strict';

// Tests of the Reporting Web Service and Data Collector fakes themselves:
// the rules they enforce, so that the legacy-path tests check the handler
// against the services' behaviour.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startFakes } = require('../fakes');
const { expectedSignature } = require('../fakes/data-collector');
const { generateTenant } = require('../fakes/tenant');
const { request, accessToken } = require('./helpers');

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const TRACE_PATH = '/ecp/reportingwebservice/reporting.svc/MessageTrace';

function wholeSeconds(ms) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function rfc1123(ms) {
  return new Date(ms).toUTCString();
}

describe('Reporting Web Service fake', () => {
  const end = Math.floor((Date.now() - 10 * MINUTE_MS) / 1000) * 1000;
  const tenant = generateTenant({ seed: 5, start: end - 2 * 60 * MINUTE_MS, end, messagesPerDay: 2000, lateness: { lateShare: 0 } });
  let fakes;
  let token;

  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, reporting: { pageSize: 25 } });
    token = await accessToken(fakes, 'https://outlook.office365.com');
  });
  after(async () => {
    await fakes.stop();
  });

  function traceUrl(filter, extra = '') {
    return `${fakes.urls.reporting}${TRACE_PATH}?$filter=${encodeURIComponent(filter)}${extra}`;
  }

  function get(url, { bearer = token, accept = 'application/json' } = {}) {
    return request(url, { headers: { authorization: `Bearer ${bearer}`, accept }, ca: fakes.caPem });
  }

  const filterFor = (startMs, endMs) =>
    `StartDate eq datetime'${wholeSeconds(startMs)}' and EndDate eq datetime'${wholeSeconds(endMs)}'`;

  it('pages with relative next links until every row is read', async () => {
    let url = traceUrl(filterFor(end - DAY_MS, end));
    const recipients = [];
    let pages = 0;
    while (url) {
      const reply = await get(url);
      assert.equal(reply.status, 200, reply.text);
      assert.match(reply.headers['content-type'], /^application\/json;odata=minimalmetadata/);
      pages += 1;
      for (const row of reply.json.value) {
        assert.match(row.Received, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/);
        recipients.push(`${row.MessageTraceId}|${row.RecipientAddress}`);
      }
      const next = reply.json['odata.nextLink'];
      if (next) {
        assert.ok(next.startsWith('../../ReportingWebService/Reporting.svc/MessageTrace?'), next);
      }
      url = next ? new URL(next, url).toString() : null;
    }
    assert.ok(pages > 2);
    assert.equal(recipients.length, tenant.rows.length);
    assert.equal(new Set(recipients).size, recipients.length);
  });

  it('answers the verbose shape with /Date(ms)/ times', async () => {
    fakes.reporting.setOptions({ shape: 'verbose' });
    try {
      const reply = await get(traceUrl(filterFor(end - DAY_MS, end)));
      assert.equal(reply.status, 200);
      assert.equal(reply.json.d.results.length, 25);
      assert.match(reply.json.d.results[0].Received, /^\/Date\(\d+\)\/$/);
      assert.equal(reply.json.d.results[0].__metadata.type, 'TenantReporting.MessageTrace');
      assert.match(reply.json.d.__next, /\$skiptoken=24$/);
    } finally {
      fakes.reporting.setOptions({ shape: 'light' });
    }
  });

  it('refuses a start more than 10 days back', async () => {
    const reply = await get(traceUrl(filterFor(Date.now() - 11 * DAY_MS, end)));
    assert.equal(reply.status, 400);
    assert.equal(reply.json['odata.error'].message.value,
      "Invalid StartDate value. The StartDate can't be older than 10 days from today.");
  });

  it('rejects any other filter as an invalid query', async () => {
    const reply = await get(traceUrl(`StartDate ge datetime'${wholeSeconds(end - DAY_MS)}'`));
    assert.equal(reply.status, 400);
    assert.equal(reply.json['odata.error'].message.value, 'The query is invalid.');
  });

  it('accepts only tokens for outlook.office365.com', async () => {
    const graphToken = await accessToken(fakes, 'https://graph.microsoft.com');
    const reply = await get(traceUrl(filterFor(end - DAY_MS, end)), { bearer: graphToken });
    assert.equal(reply.status, 401);
    assert.match(reply.text, /audience/);
  });

  it('answers Atom without Accept: application/json', async () => {
    const reply = await get(traceUrl(filterFor(end - DAY_MS, end)), { accept: '*/*' });
    assert.equal(reply.status, 200);
    assert.match(reply.headers['content-type'], /^application\/atom\+xml/);
  });

  it('serves the recorded error bodies', async () => {
    fakes.reporting.inject('segmentNotFound');
    const missing = await get(traceUrl(filterFor(end - DAY_MS, end)));
    assert.equal(missing.status, 404);
    assert.equal(missing.json['odata.error'].message.value, "Resource not found for the segment 'MessageTrace'.");
    fakes.reporting.inject('htmlPage');
    const html = await get(traceUrl(filterFor(end - DAY_MS, end)));
    assert.equal(html.status, 200);
    assert.match(html.headers['content-type'], /^text\/html/);
    assert.match(html.text, /Sign in to Outlook/);
  });
});

describe('Data Collector fake', () => {
  let fakes;

  before(async () => {
    fakes = await startFakes({ createTable: false });
  });
  after(async () => {
    await fakes.stop();
  });

  function post(records, { date = rfc1123(Date.now()), contentType = 'application/json', length, key = fakes.dataCollectorKey,
    logType = 'LegacyProbe', body } = {}) {
    const text = body ?? JSON.stringify(records);
    const bytes = Buffer.byteLength(text, 'utf8');
    const signature = expectedSignature(key, length ?? bytes, date);
    const headers = {
      authorization: `SharedKey ${fakes.workspaceId}:${signature}`,
      'content-type': contentType,
      'x-ms-date': date,
      'time-generated-field': 'Received',
    };
    if (logType !== null) {
      headers['log-type'] = logType;
    }
    return request(`${fakes.urls.dataCollector}/api/logs?api-version=2016-04-01`, { method: 'POST', headers, body: text, ca: fakes.caPem });
  }

  it('types columns by value and omits nulls', async () => {
    const received = new Date(Date.now() - MINUTE_MS).toISOString();
    const reply = await post([
      { Received: received, Subject: 'Hello', Size: 12, Flag: true, MessageTraceId: '0123456789abcdef0123456789abcdef', ToIP: null },
      { Received: received, Subject: '2026-11-29T05:35:08Z', Size: 3, MessageTraceId: 'aa1a3e28-5b6c-4d7e-8f90-1a2b3c4d5e6f' },
    ]);
    assert.equal(reply.status, 200, reply.text);
    const table = fakes.workspace.table('LegacyProbe_CL');
    const columns = Object.fromEntries(table.columns.map((column) => [column.name, column.type]));
    assert.deepEqual(columns, {
      TimeGenerated: 'datetime',
      Received_t: 'datetime',
      Subject_s: 'string',
      Size_d: 'real',
      Flag_b: 'boolean',
      MessageTraceId_g: 'string',
      // A date-like subject does not fit Subject_s and gets a sibling column.
      Subject_t: 'datetime',
    });
    const rows = fakes.ingestedRows('LegacyProbe_CL');
    assert.equal(rows[0].MessageTraceId_g, '01234567-89ab-cdef-0123-456789abcdef');
    assert.equal('ToIP_s' in rows[0], false);
    assert.equal(rows[0].TimeGenerated, rows[0].Received_t);
    assert.equal(rows[1].Subject_t, '2026-11-29T05:35:08Z');
  });

  it('rejects a signature over the character count', async () => {
    const records = [{ message: 'héllo €' }];
    assert.equal(JSON.stringify(records).length, 23);
    const reply = await post(records, { length: 23 });
    assert.equal(reply.status, 403);
    assert.equal(reply.json.Error, 'InvalidAuthorization');
    const right = await post(records);
    assert.equal(right.status, 200, right.text);
  });

  it('rejects charset in the content type', async () => {
    const reply = await post([{ message: 'x' }], { contentType: 'application/json; charset=utf-8' });
    assert.equal(reply.status, 403);
  });

  it('allows 15 minutes of clock skew and no more', async () => {
    const inside = await post([{ message: 'x' }], { date: rfc1123(Date.now() - 14 * MINUTE_MS) });
    assert.equal(inside.status, 200, inside.text);
    const outside = await post([{ message: 'x' }], { date: rfc1123(Date.now() + 16 * MINUTE_MS) });
    assert.equal(outside.status, 403);
    // The same instant with German day and month names, as strftime writes it under de_DE.
    const names = { Mon: 'Mo', Tue: 'Di', Wed: 'Mi', Thu: 'Do', Fri: 'Fr', Sat: 'Sa', Sun: 'So', Mar: 'Mär', May: 'Mai', Oct: 'Okt', Dec: 'Dez' };
    const germanDate = rfc1123(Date.now()).replace(/[A-Z][a-z]{2}/g, (name) => names[name] ?? name);
    assert.notEqual(germanDate, rfc1123(Date.now()));
    const german = await post([{ message: 'x' }], { date: germanDate });
    assert.equal(german.status, 403);
  });

  it('rejects a wrong key, a missing Log-Type and a post over 30 MB', async () => {
    const wrongKey = await post([{ message: 'x' }], { key: Buffer.alloc(64, 1).toString('base64') });
    assert.equal(wrongKey.status, 403);
    const noLogType = await post([{ message: 'x' }], { logType: null });
    assert.equal(noLogType.status, 400);
    assert.equal(noLogType.json.Error, 'MissingLogType');
    const big = `[{"message":"${'x'.repeat(30 * 1000 * 1000)}"}]`;
    const tooLarge = await post(null, { body: big });
    assert.equal(tooLarge.status, 404);
  });

  it('trims string values to 32766 bytes', async () => {
    const reply = await post([{ Received: new Date().toISOString(), Note: 'é'.repeat(20000) }], { logType: 'TrimProbe' });
    assert.equal(reply.status, 200, reply.text);
    const [row] = fakes.ingestedRows('TrimProbe_CL');
    assert.equal(Buffer.byteLength(row.Note_s, 'utf8'), 32766);
  });
});
