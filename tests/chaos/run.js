#!/usr/bin/env node
'use strict';

// Runs the chaos scenario over many seeds against the real handler binary
// and prints each seed's outcome and the totals as Markdown. Exits 1 when
// any seed lost, doubled or mislabelled a row, or a run hung or returned
// no summary.
//
//   node tests/chaos/run.js --seeds 200 --jobs 4 --scale long

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runSeeds, SCALES } = require('./scenario');
const { summarizeReports, formatSeedLine, formatTotals } = require('./report');
const { handlerPath, handlerUnavailable } = require('./handler-process');

const SCALE_NAMES = Object.keys(SCALES);

const USAGE = `Usage: node tests/chaos/run.js [options]

  --seeds N        number of seeds to run (default 30)
  --first-seed S   first seed; seeds S .. S+N-1 run (default 1)
  --jobs J         seeds run at once (default 4)
  --scale NAME     ${SCALE_NAMES.join(' or ')} (default ci): mail per seed and runs per seed
  --json FILE      also write every seed's report to FILE
  --verbose        print every step of every seed
  --help           show this help

HANDLER_PATH selects another handler binary (default build/handler/handler).
`;

function parseArguments(argv) {
  const options = { seeds: 30, firstSeed: 1, jobs: 4, scale: 'ci', json: null, verbose: false };
  const integer = (name, text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${name} takes a whole number of at least 1, not '${text}'`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        throw new Error(`${argument} needs a value`);
      }
      i += 1;
      return argv[i];
    };
    switch (argument) {
      case '--seeds': options.seeds = integer(argument, value()); break;
      case '--first-seed': options.firstSeed = integer(argument, value()); break;
      case '--jobs': options.jobs = integer(argument, value()); break;
      case '--scale': options.scale = value(); break;
      case '--json': options.json = value(); break;
      case '--verbose': options.verbose = true; break;
      case '--help': options.help = true; break;
      default: throw new Error(`unknown option '${argument}'`);
    }
  }
  if (!SCALE_NAMES.includes(options.scale)) {
    throw new Error(`--scale is '${options.scale}'; use ${SCALE_NAMES.join(' or ')}`);
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 64;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unavailable = handlerUnavailable();
  if (unavailable) {
    process.stderr.write(`error: ${unavailable}\n`);
    return 1;
  }
  // A rebuild during a long run must not change the binary under test, so
  // the runner works on a copy.
  const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mth-chaos-'));
  const copy = path.join(copyDir, 'handler');
  fs.copyFileSync(handlerPath(), copy);
  fs.chmodSync(copy, 0o755);
  process.env.HANDLER_PATH = copy;
  process.on('exit', () => fs.rmSync(copyDir, { recursive: true, force: true }));

  const seeds = Array.from({ length: options.seeds }, (_, index) => options.firstSeed + index);
  const startedAt = Date.now();
  const reports = await runSeeds(seeds, {
    jobs: options.jobs,
    scale: options.scale,
    log: options.verbose ? (line) => process.stderr.write(`${line}\n`) : () => {},
    onReport: (report) => process.stdout.write(`${formatSeedLine(report)}\n`),
  });
  const totals = summarizeReports(reports);
  const command = `node tests/chaos/run.js ${process.argv.slice(2).join(' ')}`.trim();
  process.stdout.write(`\n${formatTotals(totals, {
    command, wallSeconds: (Date.now() - startedAt) / 1000, jobs: options.jobs, scale: options.scale,
  })}\n`);
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify({ totals, reports }, null, 2)}\n`);
  }
  return totals.seedsWithProblems.length === 0 ? 0 : 1;
}

// On Ctrl-C or SIGTERM, exit through process.exit so that the exit hooks
// kill the Azurite and handler processes this run started.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(130));
}

main().then((code) => {
  process.exitCode = code;
}, (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 1;
});
