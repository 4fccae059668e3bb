#!/usr/bin/env node
'use strict';

// End-to-end demo. It generates a synthetic tenant and starts the loopback
// fakes of Entra ID, Microsoft Graph, the Log Analytics query API and the
// Logs Ingestion API. Then it runs one timer invocation of the handler through
// the Functions host emulator and checks that the workspace contains every
// source row of the window the run covered.
//
// Usage: node tests/demo.js --handler build/handler/handler [--seed 42]
//        [--days 3] [--messages-per-day 2000] [--verbose]
// Exit status 0 when the run succeeded and the row counts match.

const path = require('node:path');
const { parseArgs } = require('node:util');
const { createTestCertificates } = require('./fakes/tls');
const { startFakes } = require('./fakes');
const { generateTenant, expectedTableRows, compareTableRows } = require('./fakes/tenant');
const { startHost } = require('./host/host-emulator');

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      handler: { type: 'string' },
      seed: { type: 'string', default: '42' },
      days: { type: 'string', default: '3' },
      'messages-per-day': { type: 'string', default: '2000' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.handler) {
    process.stdout.write([
      'Usage: node tests/demo.js --handler PATH [options]',
      '  --handler PATH            handler executable, e.g. build/handler/handler (required)',
      '  --seed N                  tenant generator seed (default 42)',
      '  --days N                  days of mail, ending 5 minutes ago (default 3)',
      '  --messages-per-day N      messages per day; each has one row per recipient (default 2000)',
      '  --verbose                 print the handler output and every fake request',
      '',
    ].join('\n'));
    process.exit(values.help ? 0 : 2);
  }
  return {
    handlerPath: path.resolve(values.handler),
    seed: Number(values.seed),
    days: Number(values.days),
    messagesPerDay: Number(values['messages-per-day']),
    verbose: values.verbose,
  };
}

function printRequests(fakes) {
  for (const entry of fakes.requests()) {
    const query = entry.query.$skiptoken ? '?…$skiptoken' : entry.rawQuery;
    process.stdout.write(`  ${entry.service.padEnd(9)} ${entry.method} ${entry.path}${query} -> ${entry.status}` +
      `${entry.fault ? ` (fault ${entry.fault})` : ''}\n`);
  }
}

async function main() {
  const options = parseOptions();
  const tls = createTestCertificates();
  let fakes = null;
  let host = null;

  try {
    const end = Math.floor((Date.now() - 5 * MINUTE_MS) / 1000) * 1000;
    const start = end - options.days * DAY_MS;
    // Every row is visible and settled within about 4 minutes of receipt, so
    // that the whole window is readable now and the counts can match exactly.
    const tenant = generateTenant({
      seed: options.seed,
      start,
      end,
      messagesPerDay: options.messagesPerDay,
      lateness: { minMs: 10 * 1000, typicalMaxMs: 2 * MINUTE_MS, lateShare: 0 },
      settleMs: { min: 30 * 1000, max: MINUTE_MS },
    });
    process.stdout.write(`tenant: seed ${options.seed}, ${tenant.messageCount} messages, ${tenant.rows.length} rows ` +
      `from ${tenant.start} to ${tenant.end}\n`);

    fakes = await startFakes({ tls, rows: tenant.rows, messageTraceStart: tenant.start });
    host = await startHost({ handlerPath: options.handlerPath, env: fakes.env() });
    const result = await host.invoke({ kind: 'scheduled' });
    const finishedAt = Date.now();

    if (options.verbose || !result.ok) {
      process.stdout.write('handler output:\n');
      for (const line of host.output()) {
        process.stdout.write(`  [${line.stream}] ${line.text}\n`);
      }
    }
    if (options.verbose) {
      process.stdout.write('requests:\n');
      printRequests(fakes);
    }
    if (!result.ok) {
      process.stdout.write(`invocation failed (${result.failureReason}): ${result.failureMessage}\n`);
      return 1;
    }

    const summary = result.returnValue || {};
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    const actual = fakes.ingestedRows();
    const expected = summary.windowStart && summary.windowEnd
      ? expectedTableRows(tenant.rows, { at: finishedAt, windowStart: summary.windowStart, windowEnd: summary.windowEnd })
      : [];
    process.stdout.write(`rows in workspace: ${actual.length} (source rows in window: ${expected.length})\n`);

    const comparison = compareTableRows(actual, expected);
    const problems = ['missing', 'unexpected', 'duplicates', 'mismatched']
      .filter((kind) => comparison[kind].length > 0)
      .map((kind) => `${comparison[kind].length} ${kind}`);
    if (problems.length > 0) {
      process.stdout.write(`row check: ${problems.join(', ')}\n`);
      for (const mismatch of comparison.mismatched.slice(0, 5)) {
        process.stdout.write(`  ${mismatch.key} ${mismatch.column}: ${JSON.stringify(mismatch.actual)} ` +
          `!= expected ${JSON.stringify(mismatch.expected)}\n`);
      }
    }
    const succeeded = summary.status === 'succeeded' && actual.length === expected.length;
    return succeeded ? 0 : 1;
  } finally {
    if (host) {
      await host.stop();
    }
    if (fakes) {
      await fakes.stop();
    }
    tls.cleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`demo failed: ${error.stack || error}\n`);
    process.exitCode = 1;
  },
);
