#!/usr/bin/env node
'use strict';
// Measures the peak resident memory of one `handler run` that collects a
// window of several days from the loopback fakes, for tenants of growing
// size. Memory should level off once a window holds more rows than one
// slice (about 50,000 to 150,000 rows), whatever the window's size.
//
//   node bench/handler_memory.js [--handler build/handler/handler] [--rows 50000,150000,400000]

const { execFile } = require('node:child_process');
const path = require('node:path');
const { startFakes } = require('../tests/fakes');
const { generateTenant } = require('../tests/fakes/tenant');

const DAY_MS = 24 * 60 * 60 * 1000;

function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
}

function runMeasured(handler, env) {
  return new Promise((resolve) => {
    execFile('/usr/bin/time', ['-f', '%M %e', handler, 'run'], { env, timeout: 30 * 60 * 1000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const last = stderr.trim().split('\n').pop().split(' ');
        resolve({ code: error ? error.code : 0, summary: JSON.parse(stdout || '{}'), peakKiB: Number(last[0]), seconds: Number(last[1]) });
      });
  });
}

async function main() {
  const handler = path.resolve(argument('--handler', 'build/handler/handler'));
  const sizes = argument('--rows', '50000,150000,400000').split(',').map(Number);
  const end = Date.now() - 10 * 60 * 1000;
  console.log('| rows in window | days | peak RSS (MiB) | seconds | status |');
  console.log('|---:|---:|---:|---:|---|');
  for (const rows of sizes) {
    const days = 8;
    // generateTenant makes about 4 rows per message.
    const tenant = generateTenant({
      seed: 3, start: end - days * DAY_MS, end, messagesPerDay: Math.ceil(rows / days / 4),
      lateness: { minMs: 1000, typicalMaxMs: 60 * 1000, lateShare: 0 }, settleMs: { min: 1000, max: 2000 },
    });
    const fakes = await startFakes({ rows: tenant.rows, messageTraceStart: tenant.start, graph: { throttleLimit: 100000 } });
    try {
      const result = await runMeasured(handler, { PATH: process.env.PATH, ...fakes.env() });
      console.log(`| ${tenant.rows.length} | ${days} | ${(result.peakKiB / 1024).toFixed(0)} | ${result.seconds} | ${result.summary.status}, ${result.summary.recordsIngested} ingested |`);
    } finally {
      await fakes.stop();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
