'use strict';

// Tests of the synthetic tenant generator and the expected-row helpers.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const {
  generateTenant, expectedTableRows, toTableRow, statusToTable, compareTableRows, tableRowKey, mulberry32,
} = require('../fakes/tenant');

const DAY_MS = 24 * 60 * 60 * 1000;
const START = '2026-11-01T00:00:00Z';
const END = '2026-11-03T00:00:00Z';
const GRAPH_STATUSES = new Set(['gettingStatus', 'pending', 'failed', 'delivered', 'expanded', 'quarantined', 'filteredAsSpam']);

describe('tenant generator', () => {
  const tenant = generateTenant({ seed: 42, start: START, end: END, messagesPerDay: 1500 });

  it('is deterministic for a seed', () => {
    const again = generateTenant({ seed: 42, start: START, end: END, messagesPerDay: 1500 });
    assert.deepEqual(again.rows, tenant.rows);
    const other = generateTenant({ seed: 43, start: START, end: END, messagesPerDay: 1500 });
    assert.notDeepEqual(other.rows.slice(0, 10), tenant.rows.slice(0, 10));
  });

  it('mulberry32 matches reference outputs', () => {
    // First outputs of the reference mulberry32 for seed 1.
    const next = mulberry32(1);
    assert.deepEqual([next(), next(), next()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('produces Graph-shaped rows in range', () => {
    assert.equal(tenant.messageCount, 3000);
    assert.ok(tenant.rows.length > 3000);
    const startMs = Date.parse(START);
    const endMs = Date.parse(END);
    for (const row of tenant.rows) {
      assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(row.receivedDateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/);
      const receivedMs = Date.parse(row.receivedDateTime);
      assert.ok(receivedMs >= startMs, row.receivedDateTime);
      assert.ok(receivedMs < endMs, row.receivedDateTime);
      assert.match(row.messageId, /^<.+@.+>$/);
      assert.ok(Number.isInteger(row.size), `size ${row.size}`);
      assert.ok(row.size >= 0, `size ${row.size}`);
      assert.ok(row.size <= 35 * 1024 * 1024, `size ${row.size}`);
      assert.ok(GRAPH_STATUSES.has(row.status), row.status);
      assert.equal(row.status, row.statusHistory.at(-1).status);
      assert.ok(Date.parse(row.availableAt) >= receivedMs);
      assert.equal(row.statusHistory[0].at, row.availableAt);
    }
  });

  it('keeps (id, recipient) unique and shares id per message', () => {
    const keys = new Set(tenant.rows.map((row) => `${row.id}|${row.recipientAddress}`));
    assert.equal(keys.size, tenant.rows.length);
    const byId = new Map();
    for (const row of tenant.rows) {
      const group = byId.get(row.id) || [];
      group.push(row);
      byId.set(row.id, group);
    }
    assert.equal(byId.size, tenant.messageCount);
    for (const group of byId.values()) {
      assert.equal(new Set(group.map((row) => row.receivedDateTime)).size, 1);
      assert.equal(new Set(group.map((row) => row.messageId)).size, 1);
    }
    assert.ok([...byId.values()].some((group) => group.length >= 20), 'no bulk or list message');
  });

  it('covers the hard cases', () => {
    const rows = tenant.rows;
    const count = (predicate) => rows.filter(predicate).length;
    assert.ok(count((row) => row.status === 'expanded') > 0, 'expanded');
    assert.ok(count((row) => row.status === 'filteredAsSpam') > 0, 'filteredAsSpam');
    assert.ok(count((row) => row.status === 'quarantined') > 0, 'quarantined');
    assert.ok(count((row) => row.status === 'failed') > 0, 'failed');
    assert.ok(count((row) => row.statusHistory[0].status === 'gettingStatus') > 0, 'gettingStatus first');
    assert.ok(count((row) => row.statusHistory[0].status === 'pending') > 0, 'pending first');
    assert.ok(count((row) => row.statusHistory.length > 1 && row.statusHistory[0].status === 'quarantined') > 0, 'released');
    assert.ok(count((row) => row.fromIP === null) > 0, 'null fromIP');
    assert.ok(count((row) => row.fromIP === '') > 0, 'empty fromIP');
    assert.ok(count((row) => row.toIP === '') > 0, 'empty toIP');
    assert.ok(count((row) => row.toIP === null) > 0, 'null toIP');
    assert.ok(count((row) => row.subject === '') > 0, 'empty subject');
    assert.ok(count((row) => /[^\x00-\x7f]/.test(row.subject)) > 0, 'non-ASCII subject');
    assert.ok(count((row) => /\p{Extended_Pictographic}/u.test(row.subject)) > 0, 'emoji subject');
    assert.ok(count((row) => row.receivedDateTime.includes('.')) > 0, 'fractional seconds');
    assert.ok(count((row) => !row.receivedDateTime.includes('.')) > 0, 'whole seconds');
    assert.ok(count((row) => row.size > 10 * 1024 * 1024) > 0, 'large message');
    const late = count((row) => Date.parse(row.availableAt) - Date.parse(row.receivedDateTime) > 60 * 60 * 1000);
    assert.ok(late > 0, 'no late rows');
    assert.ok(late < rows.length * 0.1, `late rows ${late}`);
    const domains = new Set(tenant.users.map((user) => user.split('@')[1]));
    assert.deepEqual([...domains].sort(), ['contoso.example', 'fabrikam.example']);
    assert.equal(new Set(tenant.users).size, 300);
  });

  it('rejects an empty range', () => {
    assert.throws(() => generateTenant({ start: END, end: START }), /end must be after start/);
  });
});

describe('expected table rows', () => {
  const source = {
    id: 'B7C1F4D2-9A6E-4C3B-8F2D-1E0A6C5B4D3F',
    senderAddress: 'sender@contoso.example',
    recipientAddress: 'recipient@fabrikam.example',
    messageId: '<1f2e3d4c@contoso.example>',
    receivedDateTime: '2026-11-21T14:12:34.5000000Z',
    subject: '',
    size: 51234,
    fromIP: '203.0.113.25',
    toIP: '',
    status: 'delivered',
    availableAt: '2026-11-21T14:20:00Z',
    statusHistory: [
      { at: '2026-11-21T14:20:00Z', status: 'gettingStatus' },
      { at: '2026-11-21T15:00:00Z', status: 'delivered' },
    ],
  };

  it('maps Graph fields to table columns', () => {
    assert.deepEqual(toTableRow(source), {
      TimeGenerated: '2026-11-21T14:12:34.5Z',
      Received_t: '2026-11-21T14:12:34.5Z',
      SenderAddress_s: 'sender@contoso.example',
      RecipientAddress_s: 'recipient@fabrikam.example',
      Status_s: 'Delivered',
      Size_d: 51234,
      MessageId_s: '<1f2e3d4c@contoso.example>',
      MessageTraceId_g: 'B7C1F4D2-9A6E-4C3B-8F2D-1E0A6C5B4D3F',
      FromIP_s: '203.0.113.25',
    });
  });

  it('capitalises statuses as the Reporting Web Service does', () => {
    assert.equal(statusToTable('gettingStatus'), 'GettingStatus');
    assert.equal(statusToTable('filteredAsSpam'), 'FilteredAsSpam');
    assert.equal(statusToTable('delivered'), 'Delivered');
    assert.equal(statusToTable('expanded'), 'Expanded');
  });

  it('follows availability and status history', () => {
    assert.deepEqual(expectedTableRows([source], { at: '2026-11-21T14:19:59Z' }), []);
    assert.equal(expectedTableRows([source], { at: '2026-11-21T14:30:00Z' })[0].Status_s, 'GettingStatus');
    assert.equal(expectedTableRows([source], { at: '2026-11-21T15:00:00Z' })[0].Status_s, 'Delivered');
    const outside = expectedTableRows([source], {
      at: '2026-11-22T00:00:00Z', windowStart: '2026-11-21T14:12:35Z', windowEnd: '2026-11-21T15:00:00Z',
    });
    assert.deepEqual(outside, []);
  });

  it('compares rows leniently on blanks and time forms', () => {
    const expected = [toTableRow(source)];
    const actual = [{
      ...expected[0],
      Received_t: '2026-11-21T14:12:34.5000000Z',
      TimeGenerated: new Date(Date.now()).toISOString(),
      Subject_s: '',
      ToIP_s: null,
      MessageTraceId_g: source.id.toLowerCase(),
    }];
    const result = compareTableRows(actual, expected);
    assert.deepEqual(result, { missing: [], unexpected: [], duplicates: [], mismatched: [] });
    const wrong = compareTableRows([{ ...actual[0], Size_d: 1 }, actual[0]], expected);
    assert.equal(wrong.duplicates.length, 1);
    assert.deepEqual(wrong.mismatched.map((entry) => entry.column), ['Size_d']);
    assert.equal(tableRowKey(actual[0]), tableRowKey(expected[0]));
  });

  it('spans several days of rows per seed', () => {
    const start = Date.parse(START);
    const tenant = generateTenant({ seed: 5, start, end: start + DAY_MS, messagesPerDay: 200 });
    const rows = expectedTableRows(tenant.rows, { at: start + 3 * DAY_MS });
    assert.equal(rows.length, tenant.rows.length);
  });
});
