'use strict';

// Totals over the seed reports of a chaos run, and their text form.

const os = require('node:os');

function add(target, source) {
  for (const [key, value] of Object.entries(source || {})) {
    target[key] = (target[key] || 0) + value;
  }
}

/** Sums the seed reports into one object. */
function summarizeReports(reports) {
  const totals = {
    seeds: reports.length,
    seedsWithProblems: reports.filter((report) => report.problems.length > 0).map((report) => report.seed),
    rows: 0,
    lateRows: 0,
    statusChanges: 0,
    transientAtHorizon: 0,
    steps: 0,
    processes: 0,
    outcomes: {},
    kills: {},
    faults: {},
    deliveryChecks: 0,
    batchesResent: 0,
    batchesConfirmed: 0,
    leasesBroken: 0,
    lost: 0,
    doubled: 0,
    wrong: 0,
    mismatched: 0,
    virtualHours: 0,
    seedSeconds: 0,
  };
  for (const report of reports) {
    if (report.tenant) {
      totals.rows += report.tenant.rows;
      totals.lateRows += report.tenant.late;
      totals.statusChanges += report.tenant.statusChanges;
      totals.transientAtHorizon += report.tenant.transientAtHorizon;
    }
    for (const key of ['steps', 'processes', 'deliveryChecks', 'batchesResent', 'batchesConfirmed', 'leasesBroken',
      'lost', 'doubled', 'wrong', 'mismatched', 'virtualHours']) {
      totals[key] += report[key] || 0;
    }
    totals.seedSeconds += (report.durationMs || 0) / 1000;
    add(totals.outcomes, report.outcomes);
    add(totals.kills, report.kills);
    add(totals.faults, report.faults);
  }
  return totals;
}

function sortedEntries(counts) {
  return Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
}

/** Formats one seed's report as a single line. */
function formatSeedLine(report) {
  if (!report.tenant) {
    return `seed ${report.seed}: ${report.problems.join('; ')}`;
  }
  const outcomes = sortedEntries(report.outcomes).map(([key, value]) => `${value} ${key}`).join(', ');
  const verdict = report.problems.length === 0 ? 'ok' : `PROBLEMS: ${report.problems.join('; ')}`;
  return `seed ${report.seed}: ${report.tenant.rows} rows, ${report.processes} processes (${outcomes}), ` +
    `lost ${report.lost}, doubled ${report.doubled}, wrong ${report.wrong}, ` +
    `${Math.round(report.durationMs / 1000)} s: ${verdict}` +
    `${report.examples.length ? ` [${report.examples.join('; ')}]` : ''}`;
}

/** Describes the machine, for the record of a run. */
function describeMachine() {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}), ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Formats the totals as Markdown, as docs/chaos.md records them. */
function formatTotals(totals, { command, wallSeconds, jobs, scale }) {
  const lines = [
    `- command: \`${command}\``,
    `- scale: ${scale}, seeds: ${totals.seeds}, ${jobs} at a time`,
    `- machine: ${describeMachine()}`,
    `- wall time: ${Math.round(wallSeconds)} s (${Math.round(totals.seedSeconds)} s summed over seeds)`,
    `- rows: ${totals.rows} (${totals.lateRows} more than an hour late, ${totals.statusChanges} with status changes, ` +
      `${totals.transientAtHorizon} still transient at the horizon)`,
    `- virtual time: ${totals.virtualHours} hours over ${totals.steps} steps, ${totals.processes} handler processes`,
    `- lost: ${totals.lost}, doubled: ${totals.doubled}, wrong status: ${totals.wrong}, mismatched columns: ${totals.mismatched}`,
    `- seeds with problems: ${totals.seedsWithProblems.length ? totals.seedsWithProblems.join(', ') : 'none'}`,
    '',
    '| run outcome | count |',
    '|---|---|',
    ...sortedEntries(totals.outcomes).map(([key, value]) => `| ${key} | ${value} |`),
    '',
    '| SIGKILL at | count |',
    '|---|---|',
    ...sortedEntries(totals.kills).map(([key, value]) => `| ${key} | ${value} |`),
    '',
    `Recovery: ${totals.deliveryChecks} delivery check queries, ${totals.batchesConfirmed} batches found in the ` +
      `workspace, ${totals.batchesResent} sent again; ${totals.leasesBroken} leases broken between steps.`,
    '',
    '| fault (service kind) | hits |',
    '|---|---|',
    ...sortedEntries(totals.faults).map(([key, value]) => `| ${key} | ${value} |`),
  ];
  return lines.join('\n');
}

module.exports = { summarizeReports, formatSeedLine, formatTotals, describeMachine };
