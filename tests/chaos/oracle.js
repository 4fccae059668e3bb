'use strict';

// What the workspace must contain once the handler has caught up, and how
// far a table is from it. A row's settled status is the one it shows at its
// final read, when its period reaches the settling horizon. A status that
// changes later is never read. The chaos tenant keeps every status change
// at least an hour before the horizon, so the settled status is the last
// entry of the row's history, whenever exactly the final read happens.

const { parseTicks } = require('../fakes/time');
const { statusToTable, toTableRow, compareTableRows } = require('../fakes/tenant');

const HOUR_MS = 60 * 60 * 1000;
const TRANSIENT_STATUSES = new Set(['GettingStatus', 'Pending']);

function receivedMs(row) {
  return Number(parseTicks(row.receivedDateTime) / 10000n);
}

function pairKey(traceId, recipient) {
  return `${String(traceId).toLowerCase()}|${String(recipient).toLowerCase()}`;
}

/**
 * Drops the status changes of each row that happen later than `cutoffMs`
 * after its receipt (the first entry always stays), so that the settled
 * status does not depend on when the final read runs. Returns the number
 * of rows changed.
 */
function settleBeforeHorizon(rows, cutoffMs) {
  let changed = 0;
  for (const row of rows) {
    const history = row.statusHistory || [];
    const limit = receivedMs(row) + cutoffMs;
    const kept = history.filter((change, index) => index === 0 || Date.parse(change.at) <= limit);
    if (kept.length !== history.length) {
      row.statusHistory = kept;
      row.status = kept[kept.length - 1].status;
      changed += 1;
    }
  }
  return changed;
}

/** Counts the kinds of rows a tenant holds, for the report. */
function describeTenant(rows) {
  let late = 0;
  let statusChanges = 0;
  let transientAtHorizon = 0;
  for (const row of rows) {
    if (Date.parse(row.availableAt) - receivedMs(row) > HOUR_MS) {
      late += 1;
    }
    if ((row.statusHistory || []).length > 1) {
      statusChanges += 1;
    }
    if (TRANSIENT_STATUSES.has(statusToTable(row.status))) {
      transientAtHorizon += 1;
    }
  }
  return { rows: rows.length, late, statusChanges, transientAtHorizon };
}

/**
 * Compares the table with the source rows.
 *
 * Each (message, recipient) must hold its settled status exactly once
 * (else it is lost or doubled). It may also hold earlier statuses the
 * handler read before the row settled, each once, but never a transient
 * one (GettingStatus, Pending) unless that is the settled status.
 *
 * @returns {{lost: number, doubled: number, wrong: number, mismatched: number,
 *   examples: string[]}}
 */
function checkTable(sourceRows, tableRows) {
  const sources = new Map();
  for (const row of sourceRows) {
    sources.set(pairKey(row.id, row.recipientAddress), row);
  }

  // The rows the table may hold: the settled status of every source row,
  // plus the earlier settled statuses that actually landed.
  const expected = [];
  const landedByPair = new Map();
  for (const row of tableRows) {
    const key = pairKey(row.MessageTraceId_g, row.RecipientAddress_s);
    if (!landedByPair.has(key)) {
      landedByPair.set(key, new Set());
    }
    landedByPair.get(key).add(row.Status_s);
  }
  for (const [key, source] of sources) {
    const settled = statusToTable(source.status);
    expected.push(toTableRow(source, source.status));
    const earlier = new Set((source.statusHistory || []).map((change) => statusToTable(change.status)));
    for (const status of landedByPair.get(key) || []) {
      if (status !== settled && earlier.has(status) && !TRANSIENT_STATUSES.has(status)) {
        expected.push(toTableRow(source, status));
      }
    }
  }

  const comparison = compareTableRows(tableRows, expected);
  const examples = [
    ...comparison.missing.slice(0, 3).map((row) => `lost ${row.MessageTraceId_g} ${row.RecipientAddress_s} ${row.Status_s}`),
    ...comparison.duplicates.slice(0, 3).map((key) => `doubled ${key}`),
    ...comparison.unexpected.slice(0, 3).map((row) => `wrong ${row.MessageTraceId_g} ${row.RecipientAddress_s} ${row.Status_s}`),
    ...comparison.mismatched.slice(0, 3).map((item) => `mismatched ${item.key} ${item.column}: ${item.actual} != ${item.expected}`),
  ];
  return {
    lost: comparison.missing.length,
    doubled: comparison.duplicates.length,
    wrong: comparison.unexpected.length,
    mismatched: comparison.mismatched.length,
    examples,
  };
}

module.exports = { settleBeforeHorizon, describeTenant, checkTable, TRANSIENT_STATUSES };
