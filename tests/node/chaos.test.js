'use strict';

// The chaos scenario (tests/chaos/scenario.js) over 30 seeds: the real
// handler binary collects a tenant with late rows and status changes over
// days of virtual time while every service fails now and then and handler
// processes are killed. Every seed must end with each row in the table once,
// with its settled status. CHAOS_SEEDS, CHAOS_FIRST_SEED and CHAOS_JOBS
// change the seeds and how many run at once; `node tests/chaos/run.js`
// runs longer campaigns.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { runSeed } = require('../chaos/scenario');
const { summarizeReports, formatSeedLine } = require('../chaos/report');
const { handlerUnavailable } = require('../chaos/handler-process');

const SEEDS = Number(process.env.CHAOS_SEEDS || 30);
const FIRST_SEED = Number(process.env.CHAOS_FIRST_SEED || 1);
const JOBS = Number(process.env.CHAOS_JOBS || 4);
const SEED_TIMEOUT_MS = 10 * 60 * 1000;
const skip = handlerUnavailable();

const reports = [];

describe('chaos', { skip }, () => {
  describe('seeds', { concurrency: JOBS }, () => {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed += 1) {
      it(`seed ${seed} lands every row once`, { timeout: SEED_TIMEOUT_MS }, async () => {
        const report = await runSeed(seed, { scale: 'ci' });
        reports.push(report);
        const line = formatSeedLine(report);
        assert.equal(report.lost, 0, line);
        assert.equal(report.doubled, 0, line);
        assert.equal(report.wrong, 0, line);
        assert.equal(report.mismatched, 0, line);
        assert.equal(report.caughtUp, true, line);
        assert.deepEqual(report.problems, [], line);
      });
    }
  });

  // Guards against a scenario that stopped exercising what it claims to.
  it('seeds exercised every failure path', () => {
    const totals = summarizeReports(reports);
    assert.equal(totals.seeds, SEEDS);
    const services = new Set(Object.keys(totals.faults).map((label) => label.split(' ')[0]));
    assert.deepEqual([...services].sort(), ['graph', 'ingestion', 'query', 'storage', 'token']);
    for (const point of ['time', 'ingestion', 'betweenBatches', 'storageBefore', 'storageAfter']) {
      assert.ok(totals.kills[point] > 0, `no run was killed at ${point}`);
    }
    assert.ok(totals.faults['graph poisonedNextLink'] > 0, 'no poisoned next link was followed');
    assert.ok(totals.outcomes.skipped > 0, 'no run found the lease taken');
    assert.ok(totals.batchesConfirmed > 0, 'no pending batch was found in the workspace');
    assert.ok(totals.batchesResent > 0, 'no pending batch was sent again');
    assert.ok(totals.lateRows > 0);
    assert.ok(totals.transientAtHorizon > 0);
  });
});
