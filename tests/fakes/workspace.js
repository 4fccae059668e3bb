'use strict';

// In-memory Log Analytics workspace shared by the ingestion and query fakes.
// Datetime cells are stored as ticks (see time.js); `rows()` formats them back
// to ISO strings the way Kusto prints datetimes.

const fs = require('node:fs');
const path = require('node:path');
const { formatTicks } = require('./time');

const SCHEMA_PATH = path.join(__dirname, '..', '..', 'deploy', 'schema', 'EmailEvents_CL.json');

/** Reads the table schema the deployment creates: {table, stream, columns}. */
function loadEmailEventsSchema() {
  return JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
}

function createWorkspace({ clock, queryLagMs = 0 }) {
  const tables = new Map();
  let lagMs = queryLagMs;

  function createTable(name, columns) {
    if (!tables.has(name)) {
      tables.set(name, { name, columns: columns.map((column) => ({ ...column })), records: [] });
    }
    return tables.get(name);
  }

  function formatCell(column, value) {
    if (value === null || value === undefined) {
      return value;
    }
    return column.type === 'datetime' ? formatTicks(value) : value;
  }

  function formatRecord(table, record) {
    const row = {};
    for (const column of table.columns) {
      if (record.values[column.name] !== undefined) {
        row[column.name] = formatCell(column, record.values[column.name]);
      }
    }
    return row;
  }

  return {
    createTable,
    dropTable: (name) => tables.delete(name),
    hasTable: (name) => tables.has(name),
    table: (name) => tables.get(name),
    tableNames: () => [...tables.keys()],
    setQueryLag(ms) {
      lagMs = ms;
    },
    queryLagMs: () => lagMs,

    /** Appends rows (values already typed: datetime as ticks) with their ingestion time. */
    append(name, valuesList, { ingestedAt = clock.now(), requestId = null } = {}) {
      const table = tables.get(name);
      for (const values of valuesList) {
        table.records.push({ values, ingestedAt, requestId });
      }
    },

    /** Records visible to queries now: ingested at least the query lag ago. */
    queryableRecords(name) {
      const table = tables.get(name);
      const cutoff = clock.now() - lagMs;
      return table ? table.records.filter((record) => record.ingestedAt <= cutoff) : [];
    },

    /** Returns every stored row of a table as a plain object with ISO datetime strings. */
    rows(name) {
      const table = tables.get(name);
      return table ? table.records.map((record) => formatRecord(table, record)) : [];
    },

    /** Returns what rows() returns plus `ingestedAt` (epoch ms) and the ingestion request id. */
    records(name) {
      const table = tables.get(name);
      return table
        ? table.records.map((record) => ({
          row: formatRecord(table, record),
          ingestedAt: record.ingestedAt,
          requestId: record.requestId,
        }))
        : [];
    },
  };
}

module.exports = { createWorkspace, loadEmailEventsSchema, SCHEMA_PATH };
