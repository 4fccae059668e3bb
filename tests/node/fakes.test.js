'use strict';

// Tests of the fake services themselves: wire formats, the rules they
// enforce, and that the Azure SDK clients work against them.

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { ClientSecretCredential } = require('@azure/identity');
const { LogsIngestionClient } = require('@azure/monitor-ingestion');
const { LogsQueryClient } = require('@azure/monitor-query-logs');

const { startFakes } = require('../fakes');
const { createTestCertificates } = require('../fakes/tls');
const { watermarkQuery } = require('../fakes/query');
const { generateTenant } = require('../fakes/tenant');
const { request, requestToken, accessToken, decodeJwtPayload, trustPolicy } = require('./helpers');

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const TRACES = '/v1.0/admin/exchange/tracing/messageTraces';

function wholeSeconds(ms) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function tracesUrl(fakes, { start, end, top, filter } = {}) {
  const params = new URLSearchParams();
  params.set('$filter', filter ?? `receivedDateTime ge ${start} and receivedDateTime le ${end}`);
  if (top !== undefined) {
    params.set('$top', String(top));
  }
  return `${fakes.urls.graph}${TRACES}?${params}`;
}

async function getGraph(fakes, url, token) {
  return request(url, { headers: { authorization: `Bearer ${token}` }, ca: fakes.caPem });
}

/** Follows next links from `url`, returning every page reply. */
async function readAllPages(fakes, url, token) {
  const pages = [];
  let next = url;
  while (next) {
    const reply = await getGraph(fakes, next, token);
    assert.equal(reply.status, 200, reply.text);
    pages.push(reply.json);
    next = reply.json['@odata.nextLink'];
  }
  return pages;
}

function sdkCredential(fakes) {
  return new ClientSecretCredential(fakes.tenantId, fakes.clientId, fakes.clientSecret, {
    authorityHost: fakes.urls.authority,
    disableInstanceDiscovery: true,
    additionalPolicies: [trustPolicy(fakes.caPem)],
  });
}

function postIngestion(fakes, token, body, { gzip = false, dcr = fakes.dcrImmutableId, stream = fakes.stream } = {}) {
  return request(`${fakes.urls.ingestion}/dataCollectionRules/${dcr}/streams/${stream}?api-version=2023-01-01`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    gzip,
    ca: fakes.caPem,
  });
}

function postQuery(fakes, token, query, { timespan = 'P91D', workspaceId = fakes.workspaceId } = {}) {
  return request(`${fakes.urls.query}/v1/workspaces/${workspaceId}/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, timespan }),
    ca: fakes.caPem,
  });
}

function emailEvent(receivedIso, extra = {}) {
  return {
    TimeGenerated: receivedIso,
    Received_t: receivedIso,
    SenderAddress_s: 'sender@contoso.example',
    RecipientAddress_s: 'recipient@fabrikam.example',
    Subject_s: 'Hello',
    Status_s: 'Delivered',
    Size_d: 1234,
    MessageId_s: '<a@contoso.example>',
    MessageTraceId_g: '11111111-2222-4333-8444-555555555555',
    ...extra,
  };
}

describe('test certificates', () => {
  it('server certificate names 127.0.0.1 and localhost', () => {
    const tls = createTestCertificates();
    try {
      const { X509Certificate } = require('node:crypto');
      const certificate = new X509Certificate(tls.certPem);
      const ca = new X509Certificate(tls.caPem);
      assert.match(certificate.subjectAltName, /IP Address:127\.0\.0\.1/);
      assert.match(certificate.subjectAltName, /DNS:localhost/);
      assert.equal(certificate.verify(ca.publicKey), true);
      assert.equal(certificate.checkIssued(ca), true);
      assert.equal(ca.ca, true);
    } finally {
      tls.cleanup();
    }
  });
});

describe('token fake', () => {
  let fakes;
  before(async () => {
    fakes = await startFakes({ tokenLifetimeSeconds: 120 });
  });
  after(async () => {
    await fakes.stop();
  });

  it('ClientSecretCredential gets a token', async () => {
    const credential = sdkCredential(fakes);
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const claims = decodeJwtPayload(token.token);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.tid, fakes.tenantId);
    assert.equal(claims.appid, fakes.clientId);
    assert.ok(token.expiresOnTimestamp > Date.now() + 100 * 1000);
    assert.ok(token.expiresOnTimestamp <= Date.now() + 121 * 1000);
    const paths = fakes.requests('token').map((entry) => entry.path);
    assert.ok(paths.includes(`/${fakes.tenantId}/v2.0/.well-known/openid-configuration`));
    assert.ok(paths.includes(`/${fakes.tenantId}/oauth2/v2.0/token`));
  });

  it('replies like Entra v2 with the configured lifetime', async () => {
    const reply = await requestToken(fakes, { scope: 'https://monitor.azure.com/.default' });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.token_type, 'Bearer');
    assert.equal(reply.json.expires_in, 120);
    assert.equal(reply.json.ext_expires_in, 120);
    assert.equal(reply.json.access_token.split('.').length, 3);
    const claims = decodeJwtPayload(reply.json.access_token);
    assert.equal(claims.aud, 'https://monitor.azure.com');
    assert.equal(claims.exp - claims.iat, 120);
    const verified = fakes.token.verifyBearer(`Bearer ${reply.json.access_token}`, 'https://monitor.azure.com');
    assert.equal(verified.ok, true);
  });

  it('rejects a wrong client secret', async () => {
    const reply = await requestToken(fakes, { scope: 'https://graph.microsoft.com/.default', secret: 'wrong' });
    assert.equal(reply.status, 401);
    assert.equal(reply.json.error, 'invalid_client');
    assert.match(reply.json.error_description, /^AADSTS7000215: Invalid client secret provided\./);
    assert.deepEqual(reply.json.error_codes, [7000215]);
    assert.ok(reply.json.trace_id);
    assert.ok(reply.json.correlation_id);
    assert.ok(reply.json.timestamp);
  });

  it('rejects unknown client and tenant', async () => {
    const client = await requestToken(fakes, { scope: 'https://graph.microsoft.com/.default', clientId: 'nobody' });
    assert.equal(client.status, 400);
    assert.equal(client.json.error, 'unauthorized_client');
    const tenant = await requestToken(fakes, { scope: 'https://graph.microsoft.com/.default', tenant: 'other' });
    assert.equal(tenant.status, 400);
    assert.deepEqual(tenant.json.error_codes, [90002]);
  });

  it('rejects invalid scopes', async () => {
    const cases = [
      [undefined, 70011],
      ['https://graph.microsoft.com/.default https://monitor.azure.com/.default', 70011],
      ['https://graph.microsoft.com/Mail.Read', 1002012],
      ['https://unknown.example/.default', 70011],
    ];
    for (const [scope, code] of cases) {
      const reply = await requestToken(fakes, { scope });
      assert.equal(reply.status, 400, `scope ${scope}`);
      assert.equal(reply.json.error, 'invalid_scope', `scope ${scope}`);
      assert.deepEqual(reply.json.error_codes, [code], `scope ${scope}`);
    }
  });

  it('issues tokens for every known audience', async () => {
    for (const audience of ['https://outlook.office365.com', 'https://api.loganalytics.io', 'https://storage.azure.com']) {
      const claims = decodeJwtPayload(await accessToken(fakes, audience));
      assert.equal(claims.aud, audience);
    }
  });

  it('expires tokens on the fake clock', async () => {
    const token = await accessToken(fakes, 'https://graph.microsoft.com');
    assert.equal(fakes.token.verifyBearer(`Bearer ${token}`, 'https://graph.microsoft.com').ok, true);
    fakes.clock.advance(121 * 1000);
    try {
      const verified = fakes.token.verifyBearer(`Bearer ${token}`, 'https://graph.microsoft.com');
      assert.equal(verified.ok, false);
      assert.equal(verified.reason, 'expired');
    } finally {
      fakes.clock.setOffset(0);
    }
  });
});

describe('ingestion fake', () => {
  let fakes;
  let token;
  before(async () => {
    fakes = await startFakes();
    token = await accessToken(fakes, 'https://monitor.azure.com');
  });
  after(async () => {
    await fakes.stop();
  });
  beforeEach(() => {
    fakes.clearFaults();
  });

  it('LogsIngestionClient uploads rows', async () => {
    const client = new LogsIngestionClient(fakes.urls.ingestion, sdkCredential(fakes), {
      additionalPolicies: [trustPolicy(fakes.caPem)],
    });
    const received = new Date(Date.now() - HOUR_MS).toISOString();
    const before = fakes.ingestedRows().length;
    await client.upload(fakes.dcrImmutableId, fakes.stream, [
      emailEvent(received, { RecipientAddress_s: 'sdk-1@fabrikam.example' }),
      emailEvent(received, { RecipientAddress_s: 'sdk-2@fabrikam.example', Subject_s: 'Réunion ✅' }),
    ]);
    const rows = fakes.ingestedRows().slice(before);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].RecipientAddress_s, 'sdk-1@fabrikam.example');
    assert.equal(rows[1].Subject_s, 'Réunion ✅');
    assert.equal(rows[0].Size_d, 1234);
    assert.equal(Date.parse(rows[0].Received_t), Date.parse(received));
    const batch = fakes.ingestion.batches().at(-1);
    assert.equal(batch.gzip, true);
    assert.equal(batch.records, 2);
  });

  it('accepts plain and gzip bodies', async () => {
    const received = '2026-01-02T03:04:05.1234567Z';
    const plain = await postIngestion(fakes, token, JSON.stringify([emailEvent(received)]));
    assert.equal(plain.status, 204);
    assert.equal(plain.text, '');
    const zipped = await postIngestion(fakes, token, JSON.stringify([emailEvent(received)]), { gzip: true });
    assert.equal(zipped.status, 204);
    const stored = fakes.ingestedRows().filter((row) => row.Received_t === received);
    assert.equal(stored.length, 2);
  });

  it('returns 413 above 1 MB as sent', async () => {
    const records = [];
    while (JSON.stringify(records).length <= 1048576) {
      records.push(emailEvent('2026-01-02T03:04:05Z', { Subject_s: 'x'.repeat(4000) }));
    }
    const body = JSON.stringify(records);
    const reply = await postIngestion(fakes, token, body);
    assert.equal(reply.status, 413);
    assert.equal(reply.json.error.code, 'ContentLengthLimitExceeded');
    assert.equal(reply.json.error.message,
      `Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: ${Buffer.byteLength(body)} bytes.`);
  });

  it('returns 413 above 1 MB once decompressed', async () => {
    const records = [];
    while (JSON.stringify(records).length <= 1048576) {
      records.push(emailEvent('2026-01-02T03:04:05Z', { Subject_s: 'y'.repeat(4000) }));
    }
    const body = JSON.stringify(records);
    assert.ok(zlib.gzipSync(body).length < 1048576);
    const reply = await postIngestion(fakes, token, body, { gzip: true });
    assert.equal(reply.status, 413);
    assert.match(reply.json.error.message, new RegExp(`Provided content length: ${Buffer.byteLength(body)} bytes`));
  });

  it('accepts exactly 1,048,576 bytes', async () => {
    const record = emailEvent('2026-01-02T03:04:05Z', { Subject_s: '' });
    const overhead = JSON.stringify([record]).length;
    record.Subject_s = 'z'.repeat(1048576 - overhead);
    const body = JSON.stringify([record]);
    assert.equal(Buffer.byteLength(body), 1048576);
    const reply = await postIngestion(fakes, token, body);
    assert.equal(reply.status, 204);
  });

  it('rejects wrong DCR, stream and audience', async () => {
    const body = JSON.stringify([emailEvent('2026-01-02T03:04:05Z')]);
    const wrongDcr = await postIngestion(fakes, token, body, { dcr: 'dcr-00000000000000000000000000000000' });
    assert.equal(wrongDcr.status, 404);
    assert.ok(wrongDcr.json.error.message.includes('dcr-00000000000000000000000000000000'));
    const wrongStream = await postIngestion(fakes, token, body, { stream: 'Custom-Other_CL' });
    assert.equal(wrongStream.status, 404);
    const graphToken = await accessToken(fakes, 'https://graph.microsoft.com');
    const wrongAudience = await postIngestion(fakes, graphToken, body);
    assert.equal(wrongAudience.status, 401);
    const noToken = await request(
      `${fakes.urls.ingestion}/dataCollectionRules/${fakes.dcrImmutableId}/streams/${fakes.stream}?api-version=2023-01-01`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body, ca: fakes.caPem },
    );
    assert.equal(noToken.status, 401);
  });

  it('requires TimeGenerated and drops unknown fields', async () => {
    const missing = await postIngestion(fakes, token, JSON.stringify([{ Received_t: '2026-01-02T03:04:05Z' }]));
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /TimeGenerated/);
    const received = '2026-01-03T00:00:00Z';
    const reply = await postIngestion(fakes, token, JSON.stringify([emailEvent(received, { Extra_s: 'dropped' })]));
    assert.equal(reply.status, 204);
    const row = fakes.ingestedRows().find((candidate) => candidate.Received_t === received);
    assert.equal(row.Extra_s, undefined);
    assert.ok(fakes.ingestion.diagnostics().some((entry) => entry.column === 'Extra_s'));
  });

  it('replaces TimeGenerated more than 2 days old', async () => {
    const old = new Date(Date.now() - 5 * DAY_MS).toISOString();
    const reply = await postIngestion(fakes, token,
      JSON.stringify([emailEvent(old, { RecipientAddress_s: 'old@fabrikam.example' })]));
    assert.equal(reply.status, 204);
    const row = fakes.ingestedRows().find((candidate) => candidate.RecipientAddress_s === 'old@fabrikam.example');
    assert.equal(Date.parse(row.Received_t), Date.parse(old));
    assert.ok(Date.now() - Date.parse(row.TimeGenerated) < 60 * 1000);
  });

  it('injects faults', async () => {
    const body = JSON.stringify([emailEvent('2026-01-02T03:04:05Z')]);
    fakes.ingestion.inject('throttle', { retryAfter: 7 });
    const throttled = await postIngestion(fakes, token, body);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '7');
    fakes.ingestion.inject('forbidden');
    const forbidden = await postIngestion(fakes, token, body);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error.code, 'OperationFailed');
    fakes.ingestion.inject('unavailable');
    assert.equal((await postIngestion(fakes, token, body)).status, 503);
    fakes.ingestion.inject('serverError');
    assert.equal((await postIngestion(fakes, token, body)).status, 500);
    fakes.ingestion.inject('reset');
    await assert.rejects(postIngestion(fakes, token, body), /socket hang up|ECONNRESET/);
    const after = await postIngestion(fakes, token, body);
    assert.equal(after.status, 204);
  });

  it('lost reply lands the rows', async () => {
    const before = fakes.ingestedRows().length;
    const body = JSON.stringify([emailEvent('2026-01-02T03:04:05Z', { RecipientAddress_s: 'lost-reply@fabrikam.example' })]);
    fakes.ingestion.inject('lostReply');
    await assert.rejects(postIngestion(fakes, token, body), /socket hang up|ECONNRESET/);
    const rows = fakes.ingestedRows().slice(before);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].RecipientAddress_s, 'lost-reply@fabrikam.example');
    assert.equal(fakes.ingestion.requests().at(-1).status, 'lost-reply');
  });
});

describe('query fake', () => {
  let fakes;
  let token;
  before(async () => {
    fakes = await startFakes();
    token = await accessToken(fakes, 'https://api.loganalytics.io');
  });
  after(async () => {
    await fakes.stop();
  });
  beforeEach(() => {
    fakes.clearFaults();
    fakes.workspace.setQueryLag(0);
  });

  it('returns null watermark for an empty table', async () => {
    const reply = await postQuery(fakes, token, watermarkQuery());
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, {
      tables: [{ name: 'PrimaryResult', columns: [{ name: 'Watermark', type: 'datetime' }], rows: [[null]] }],
    });
  });

  it('LogsQueryClient reads the watermark', async () => {
    const ingestToken = await accessToken(fakes, 'https://monitor.azure.com');
    const newest = new Date(Date.now() - 2 * HOUR_MS).toISOString();
    const older = new Date(Date.now() - 3 * HOUR_MS).toISOString();
    const posted = await postIngestion(fakes, ingestToken, JSON.stringify([emailEvent(older), emailEvent(newest)]));
    assert.equal(posted.status, 204);
    const client = new LogsQueryClient(sdkCredential(fakes), {
      endpoint: fakes.urls.query,
      additionalPolicies: [trustPolicy(fakes.caPem)],
    });
    const result = await client.queryWorkspace(fakes.workspaceId, watermarkQuery(), { duration: 'P91D' });
    assert.equal(result.status, 'Success');
    assert.equal(result.tables[0].rows.length, 1);
    assert.equal(new Date(result.tables[0].rows[0][0]).getTime(), Date.parse(newest));
  });

  it('keeps 7 fractional digits in the watermark', async () => {
    const ingestToken = await accessToken(fakes, 'https://monitor.azure.com');
    const received = new Date(Date.now() - HOUR_MS).toISOString().replace(/\.\d+Z$/, '.1234567Z');
    assert.equal((await postIngestion(fakes, ingestToken, JSON.stringify([emailEvent(received)]))).status, 204);
    const reply = await postQuery(fakes, token, watermarkQuery());
    assert.equal(reply.json.tables[0].rows[0][0], received);
  });

  it('hides rows younger than the query lag', async () => {
    const ingestToken = await accessToken(fakes, 'https://monitor.azure.com');
    fakes.workspace.setQueryLag(60 * 1000);
    const received = new Date(Date.now() - 30 * 60 * 1000).toISOString();
    assert.equal((await postIngestion(fakes, ingestToken, JSON.stringify([emailEvent(received)]))).status, 204);
    const during = await postQuery(fakes, token, watermarkQuery());
    const duringWatermark = during.json.tables[0].rows[0][0];
    assert.ok(duringWatermark === null || Date.parse(duringWatermark) < Date.parse(received));
    fakes.clock.advance(61 * 1000);
    try {
      const later = await postQuery(fakes, token, watermarkQuery());
      assert.equal(Date.parse(later.json.tables[0].rows[0][0]), Date.parse(received));
    } finally {
      fakes.clock.setOffset(0);
    }
  });

  it('applies the look-back and timespan', async () => {
    const reply = await postQuery(fakes, token, 'EmailEvents_CL | where TimeGenerated > ago(1h) | count');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.tables[0].columns, [{ name: 'Count', type: 'long' }]);
    const all = await postQuery(fakes, token, 'EmailEvents_CL | count', { timespan: 'P1D' });
    assert.ok(all.json.tables[0].rows[0][0] >= reply.json.tables[0].rows[0][0]);
    const badSpan = await postQuery(fakes, token, 'EmailEvents_CL | count', { timespan: 'yesterday' });
    assert.equal(badSpan.status, 400);
  });

  it('reports a missing table as SEM0100', async () => {
    const reply = await postQuery(fakes, token, 'Missing_CL | summarize max(Received_t)');
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error.code, 'BadArgumentError');
    assert.equal(reply.json.error.innererror.code, 'SemanticError');
    assert.equal(reply.json.error.innererror.innererror.code, 'SEM0100');
    assert.equal(reply.json.error.innererror.innererror.message,
      "'summarize' operator: Failed to resolve table or column expression named 'Missing_CL'");
  });

  it('resolves the watermark query on a missing table', async () => {
    const reply = await postQuery(fakes, token, watermarkQuery('Missing_CL'));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.tables[0].rows, [[null]]);
  });

  it('reports a fuzzy union of missing tables as SEM0001', async () => {
    const reply = await postQuery(fakes, token,
      'union isfuzzy=true (Missing_CL | project Received_t), (Other_CL | project Received_t) ' +
      '| summarize Watermark = max(Received_t)');
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error.innererror.innererror.code, 'SEM0001');
  });

  it('rejects unsupported queries', async () => {
    const reply = await postQuery(fakes, token, 'EmailEvents_CL | extend X = 1');
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error.code, 'BadArgumentError');
    assert.match(reply.json.error.innererror.message, /does not support this query/);
  });

  it('counts delivered rows by key once queryable', async () => {
    const ingestToken = await accessToken(fakes, 'https://monitor.azure.com');
    const received = new Date(Date.now() - HOUR_MS).toISOString();
    const id = 'AAAAAAAA-2222-4333-8444-555555555555';
    const quotedRecipient = 'o"brien\\x@fabrikam.example';
    const rows = [
      emailEvent(received, { MessageTraceId_g: id, RecipientAddress_s: 'Ana@Fabrikam.example', Status_s: 'Delivered' }),
      emailEvent(received, { MessageTraceId_g: id, RecipientAddress_s: 'ana@fabrikam.example', Status_s: 'Failed' }),
      emailEvent(received, { MessageTraceId_g: id, RecipientAddress_s: quotedRecipient, Status_s: 'Quarantined' }),
    ];
    fakes.workspace.setQueryLag(10 * 60 * 1000);
    assert.equal((await postIngestion(fakes, ingestToken, JSON.stringify(rows))).status, 204);

    // The text the handler's delivery check sends: case-insensitive id and
    // recipient, exact status, string literals escaped with backslashes.
    const key = (traceId, recipient, status) => {
      const literal = (text) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      return `(MessageTraceId_g =~ ${literal(traceId)} and RecipientAddress_s =~ ${literal(recipient)} ` +
        `and Status_s == ${literal(status)})`;
    };
    const countQuery = (...keys) => `EmailEvents_CL | where TimeGenerated > ago(91d) | where ${keys.join(' or ')} | count`;
    const query = countQuery(
      key(id.toLowerCase(), 'ana@fabrikam.example', 'Delivered'),
      key(id, quotedRecipient, 'Quarantined'),
      key(id, 'ana@fabrikam.example', 'delivered'),
      key(id, 'nobody@fabrikam.example', 'Failed'),
    );
    const count = async () => {
      const reply = await postQuery(fakes, token, query);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json.tables[0].columns, [{ name: 'Count', type: 'long' }]);
      return reply.json.tables[0].rows[0][0];
    };

    assert.equal(await count(), 0, 'rows younger than the query lag are not counted');
    fakes.clock.advance(10 * 60 * 1000 + 1000);
    try {
      assert.equal(await count(), 2);
    } finally {
      fakes.clock.setOffset(0);
    }
  });

  it('checks audience and workspace', async () => {
    const graphToken = await accessToken(fakes, 'https://graph.microsoft.com');
    const wrongAudience = await postQuery(fakes, graphToken, watermarkQuery());
    assert.equal(wrongAudience.status, 403);
    assert.equal(wrongAudience.json.error.code, 'InvalidAuthenticationTokenAudience');
    const wrongWorkspace = await postQuery(fakes, token, watermarkQuery(), { workspaceId: '00000000-0000-0000-0000-000000000000' });
    assert.equal(wrongWorkspace.status, 404);
  });

  it('injects partial errors and server errors', async () => {
    fakes.query.inject('partialError', { watermark: '2026-11-20T23:59:58.123Z' });
    const partial = await postQuery(fakes, token, watermarkQuery());
    assert.equal(partial.status, 200);
    assert.equal(partial.json.error.code, 'PartialError');
    assert.deepEqual(partial.json.tables[0].rows, [['2026-11-20T23:59:58.123Z']]);
    for (const [preset, status] of [['throttle', 429], ['serverError', 500], ['gatewayTimeout', 504]]) {
      fakes.query.inject(preset);
      const reply = await postQuery(fakes, token, watermarkQuery());
      assert.equal(reply.status, status, preset);
    }
  });
});

describe('graph fake', () => {
  const now = Date.now();
  const start = now - 2 * DAY_MS;
  const end = now - DAY_MS;
  const tenant = generateTenant({
    seed: 11, start, end, messagesPerDay: 400, lateness: { minMs: 0, typicalMaxMs: 1000, lateShare: 0 },
  });
  let fakes;
  let token;
  before(async () => {
    fakes = await startFakes({ rows: tenant.rows, graph: { throttleLimit: 1000 } });
    token = await accessToken(fakes, 'https://graph.microsoft.com');
  });
  after(async () => {
    await fakes.stop();
  });
  beforeEach(() => {
    fakes.clearFaults();
    fakes.graph.resetQuota();
    fakes.graph.setForeignNextLinks(false);
  });

  it('pages every row exactly once, newest first', async () => {
    const url = tracesUrl(fakes, { start: wholeSeconds(start - 60000), end: wholeSeconds(end + 60000), top: 300 });
    const pages = await readAllPages(fakes, url, token);
    const rows = pages.flatMap((page) => page.value);
    assert.ok(pages.length >= 3, `expected several pages, got ${pages.length}`);
    assert.equal(rows.length, tenant.rows.length);
    const keys = new Set(rows.map((row) => `${row.id}|${row.recipientAddress}`));
    assert.equal(keys.size, rows.length);
    for (let i = 1; i < rows.length; i += 1) {
      assert.ok(Date.parse(rows[i - 1].receivedDateTime) >= Date.parse(rows[i].receivedDateTime),
        `row ${i} is newer than row ${i - 1}`);
    }
    assert.equal(pages[0]['@odata.context'], `${fakes.urls.graph}/v1.0/$metadata#admin/exchange/tracing/messageTraces`);
    assert.deepEqual(Object.keys(rows[0]).sort(), [
      'fromIP', 'id', 'messageId', 'receivedDateTime', 'recipientAddress', 'senderAddress', 'size', 'status',
      'subject', 'toIP',
    ]);
  });

  it('caps pages at serverPageSize', async () => {
    const capped = await startFakes({ rows: tenant.rows, graph: { throttleLimit: 1000, serverPageSize: 50 } });
    try {
      const cappedToken = await accessToken(capped, 'https://graph.microsoft.com');
      const url = tracesUrl(capped, { start: wholeSeconds(start - 60000), end: wholeSeconds(end + 60000), top: 300 });
      const pages = await readAllPages(capped, url, cappedToken);
      assert.equal(pages[0].value.length, 50);
      assert.match(pages[0]['@odata.nextLink'], /\$top=300/);
      assert.equal(pages.length, Math.ceil(tenant.rows.length / 50));
      const keys = new Set(pages.flatMap((page) => page.value).map((row) => `${row.id}|${row.recipientAddress}`));
      assert.equal(keys.size, tenant.rows.length);
    } finally {
      await capped.stop();
    }
  });

  it('resumes exactly inside a shared received time', async () => {
    const received = wholeSeconds(now - 3 * HOUR_MS);
    const rows = [];
    for (let i = 0; i < 23; i += 1) {
      rows.push({
        id: i < 12 ? 'aaaaaaaa-0000-4000-8000-000000000001' : 'bbbbbbbb-0000-4000-8000-000000000002',
        senderAddress: 'news@mail.tailspin.example',
        recipientAddress: `user${i % 12}@contoso.example`,
        messageId: `<m${i < 12 ? 1 : 2}@tailspin.example>`,
        receivedDateTime: received,
        subject: '',
        size: 100,
        fromIP: '192.0.2.1',
        toIP: '',
        status: 'delivered',
      });
    }
    fakes.graph.addRows(rows);
    const url = tracesUrl(fakes, { start: received, end: received, top: 5 });
    const pages = await readAllPages(fakes, url, token);
    const seen = pages.flatMap((page) => page.value).map((row) => `${row.id}|${row.recipientAddress}`);
    assert.equal(pages.length, 5);
    assert.equal(seen.length, 23);
    assert.equal(new Set(seen).size, 23);
  });

  it('next link carries a base64 JSON skiptoken', async () => {
    const url = tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end), top: 10 });
    const reply = await getGraph(fakes, url, token);
    const next = new URL(reply.json['@odata.nextLink']);
    assert.equal(next.origin, fakes.urls.graph);
    assert.equal(next.pathname, TRACES);
    assert.equal(next.searchParams.get('$top'), '10');
    assert.equal(next.searchParams.get('$filter'),
      `receivedDateTime ge ${wholeSeconds(start)} and receivedDateTime le ${wholeSeconds(end)}`);
    const token64 = next.searchParams.get('$skiptoken');
    const decoded = JSON.parse(Buffer.from(token64, 'base64').toString('utf8'));
    assert.equal(decoded.StartDate, wholeSeconds(start));
    assert.match(decoded.EndDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    assert.equal(decoded.StartingRecipientAddress, reply.json.value[9].recipientAddress);
    assert.equal(decoded.ResultSize, '10');
  });

  it('enforces the window rules', async () => {
    const cases = [
      ['11 days', { start: wholeSeconds(now - 12 * DAY_MS), end: wholeSeconds(now - DAY_MS) }, /exceeds 10 days/],
      ['91 days back', { start: wholeSeconds(now - 91 * DAY_MS), end: wholeSeconds(now - 85 * DAY_MS) }, /older than 90 days/],
      ['end in the future', { start: wholeSeconds(now - DAY_MS), end: wholeSeconds(now + HOUR_MS) }, /later than the current time/],
      ['start after end', { start: wholeSeconds(now - DAY_MS), end: wholeSeconds(now - 2 * DAY_MS) }, /after the end/],
      ['fractional seconds', { filter: `receivedDateTime ge ${new Date(now - DAY_MS).toISOString()} and receivedDateTime le ${wholeSeconds(now - HOUR_MS)}` }, /YYYY-MM-DDThh:mm:ssZ/],
      ['one bound', { filter: `receivedDateTime ge ${wholeSeconds(now - DAY_MS)}` }, /Invalid filter clause/],
      ['other property', { filter: `senderAddress eq 'a@b.example'` }, /Invalid filter clause/],
    ];
    for (const [name, query, message] of cases) {
      const reply = await getGraph(fakes, tracesUrl(fakes, query), token);
      assert.equal(reply.status, 400, name);
      assert.equal(reply.json.error.code, 'BadRequest', name);
      assert.match(reply.json.error.message, message, name);
      assert.ok(reply.json.error.innerError['request-id'], name);
    }
    const missing = await getGraph(fakes, `${fakes.urls.graph}${TRACES}`, token);
    assert.equal(missing.status, 400);
  });

  it('accepts exactly 10 days and 90 days back', async () => {
    const startMs = now - 90 * DAY_MS + 60 * 1000;
    const reply = await getGraph(fakes,
      tracesUrl(fakes, { start: wholeSeconds(startMs), end: wholeSeconds(startMs + 10 * DAY_MS) }), token);
    assert.equal(reply.status, 200, reply.text);
  });

  it('enforces $top from 1 to 5000', async () => {
    const range = { start: wholeSeconds(start), end: wholeSeconds(end) };
    for (const top of ['0', '5001', 'abc', '1000]', '-1', '1.5']) {
      const reply = await getGraph(fakes, tracesUrl(fakes, { ...range, top }), token);
      assert.equal(reply.status, 400, `$top=${top}`);
      assert.match(reply.json.error.message, /\$top/);
    }
    const largest = await getGraph(fakes, tracesUrl(fakes, { ...range, top: 5000 }), token);
    assert.equal(largest.status, 200);
    const defaultPage = await getGraph(fakes, tracesUrl(fakes, range), token);
    assert.equal(defaultPage.json.value.length, Math.min(1000, tenant.rows.length));
  });

  it('requires a Graph token', async () => {
    const url = tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end) });
    const none = await request(url, { ca: fakes.caPem });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'InvalidAuthenticationToken');
    const monitorToken = await accessToken(fakes, 'https://monitor.azure.com');
    const wrong = await getGraph(fakes, url, monitorToken);
    assert.equal(wrong.status, 401);
    assert.match(wrong.json.error.message, /Invalid audience/);
  });

  it('throttles over the rolling limit', async () => {
    const url = tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end), top: 1 });
    fakes.graph.consumeQuota(999);
    const allowed = await getGraph(fakes, url, token);
    assert.equal(allowed.status, 200);
    const throttled = await getGraph(fakes, url, token);
    assert.equal(throttled.status, 429);
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter >= 1, `Retry-After ${throttled.headers['retry-after']}`);
    assert.ok(retryAfter <= 300, `Retry-After ${throttled.headers['retry-after']}`);
    assert.deepEqual(throttled.json, {
      error: {
        code: 'TooManyRequests',
        message: 'Your recent queries have surpassed the permitted limit, please try again later.',
      },
    });
    fakes.clock.advance(5 * 60 * 1000 + 1000);
    try {
      const later = await getGraph(fakes, url, token);
      assert.equal(later.status, 200);
    } finally {
      fakes.clock.setOffset(0);
    }
  });

  it('hides late rows and shows the current status', async () => {
    const received = wholeSeconds(now - 5 * HOUR_MS);
    fakes.graph.addRows([
      {
        id: 'cccccccc-0000-4000-8000-000000000003', senderAddress: 'a@contoso.example',
        recipientAddress: 'late@fabrikam.example', messageId: '<late@contoso.example>', receivedDateTime: received,
        subject: 'Late', size: 10, fromIP: '10.0.0.1', toIP: '', status: 'delivered',
        availableAt: new Date(now + HOUR_MS).toISOString(),
        statusHistory: [{ at: new Date(now + HOUR_MS).toISOString(), status: 'delivered' }],
      },
      {
        id: 'dddddddd-0000-4000-8000-000000000004', senderAddress: 'a@contoso.example',
        recipientAddress: 'pending@fabrikam.example', messageId: '<pending@contoso.example>', receivedDateTime: received,
        subject: 'Pending', size: 10, fromIP: '10.0.0.1', toIP: '203.0.113.9', status: 'delivered',
        availableAt: new Date(now - HOUR_MS).toISOString(),
        statusHistory: [
          { at: new Date(now - HOUR_MS).toISOString(), status: 'pending' },
          { at: new Date(now + 2 * HOUR_MS).toISOString(), status: 'delivered' },
        ],
      },
    ]);
    const url = tracesUrl(fakes, { start: received, end: received });
    const first = await getGraph(fakes, url, token);
    const firstByRecipient = new Map(first.json.value.map((row) => [row.recipientAddress, row.status]));
    assert.equal(firstByRecipient.has('late@fabrikam.example'), false);
    assert.equal(firstByRecipient.get('pending@fabrikam.example'), 'pending');
    fakes.clock.advance(3 * HOUR_MS);
    try {
      const laterToken = await accessToken(fakes, 'https://graph.microsoft.com');
      const later = await getGraph(fakes, url, laterToken);
      const laterByRecipient = new Map(later.json.value.map((row) => [row.recipientAddress, row.status]));
      assert.equal(laterByRecipient.get('late@fabrikam.example'), 'delivered');
      assert.equal(laterByRecipient.get('pending@fabrikam.example'), 'delivered');
    } finally {
      fakes.clock.setOffset(0);
    }
  });

  it('poisoned next link fails on every try', async () => {
    fakes.graph.poisonNextLinks({ times: 1 });
    const url = tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end), top: 10 });
    const first = await getGraph(fakes, url, token);
    assert.equal(first.status, 200);
    const poisoned = first.json['@odata.nextLink'];
    const decoded = JSON.parse(Buffer.from(new URL(poisoned).searchParams.get('$skiptoken'), 'base64').toString('utf8'));
    assert.match(decoded.StartDate, /^".*"$/);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = await getGraph(fakes, poisoned, token);
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error.message,
        "Cannot process argument transformation on parameter 'StartDate'. Cannot convert value to type System.DateTime.");
    }
    const again = await getGraph(fakes, url, token);
    assert.doesNotMatch(again.json['@odata.nextLink'], /%22/);
  });

  it('foreign next links name 127.0.0.2', async () => {
    fakes.graph.setForeignNextLinks(true);
    const reply = await getGraph(fakes, tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end), top: 10 }), token);
    const next = new URL(reply.json['@odata.nextLink']);
    assert.equal(next.hostname, '127.0.0.2');
    assert.equal(next.port, String(fakes.graph.port));
  });

  it('injects faults', async () => {
    const url = tracesUrl(fakes, { start: wholeSeconds(start), end: wholeSeconds(end), top: 10 });
    fakes.graph.inject('noServicePrincipal');
    const unauthorized = await getGraph(fakes, url, token);
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.json.error.message, /8bd644d1-64a1-4d4b-ae52-2e0cbf64e373/);

    fakes.graph.inject('throttle', { retryAfter: 3 });
    const throttled = await getGraph(fakes, url, token);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '3');

    fakes.graph.inject('htmlPage');
    const html = await getGraph(fakes, url, token);
    assert.equal(html.status, 200);
    assert.match(html.headers['content-type'], /^text\/html/);

    fakes.graph.inject('truncatedJson');
    const truncated = await getGraph(fakes, url, token);
    assert.equal(truncated.status, 200);
    assert.equal(truncated.json, undefined);
    assert.ok(truncated.text.startsWith('{"@odata.context"'));

    for (const [preset, status] of [['serverError', 500], ['unavailable', 503]]) {
      fakes.graph.inject(preset);
      assert.equal((await getGraph(fakes, url, token)).status, status, preset);
    }

    fakes.graph.inject('reset');
    await assert.rejects(getGraph(fakes, url, token), /socket hang up|ECONNRESET/);

    fakes.graph.inject('delay', { ms: 300 });
    const startedAt = Date.now();
    const delayed = await getGraph(fakes, url, token);
    assert.equal(delayed.status, 200);
    assert.ok(Date.now() - startedAt >= 290);

    fakes.graph.inject('throttle', { skip: 1, match: { path: TRACES } });
    assert.equal((await getGraph(fakes, url, token)).status, 200);
    assert.equal((await getGraph(fakes, url, token)).status, 429);
    const log = fakes.requests('graph');
    assert.equal(log.at(-1).fault, 'throttle');
    assert.equal(log.at(-1).headers.authorization, 'Bearer <redacted>');
  });
});
