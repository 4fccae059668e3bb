'use strict';

// One chaos scenario per seed: a synthetic tenant whose rows arrive up to a
// day late and change status, collected by the real handler binary over
// days of virtual time while every service misbehaves. Faults hit the token,
// Graph, query and ingestion fakes and the Blob storage that stores the
// handler's state; handler processes are killed with SIGKILL at random
// moments and at chosen points of a delivery, and some runs overlap. Then
// the faults stop, runs continue past the settling horizon, and the table
// must hold every row once with its settled status.
//
// Virtual time: the fakes' shared clock is moved to each run's virtual time,
// and every handler process runs under libfaketime at the same offset, so a
// day passes in a few dozen runs of a second each. A seed fixes the tenant,
// the timeline, the fault plan and the kill plan; the exact interleaving
// still depends on real timing, so two runs of a seed can differ slightly.

const { startFakes } = require('../fakes');
const { generateTenant, mulberry32 } = require('../fakes/tenant');
const cases = require('../fakes/cases');
const { createBlobAdmin } = require('./blob-admin');
const { startStorageProxy } = require('./storage-proxy');
const { settleBeforeHorizon, describeTenant, checkTable } = require('./oracle');
const { startRun, startHostAt, missingSummaryKeys } = require('./handler-process');

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

// The handler's default settling horizon and schedule stay in force.
const HORIZON_MS = 24 * HOUR_MS;
// The latest a row appears after its receipt: just inside the horizon, so
// every row is visible at its period's final read.
const LATEST_ROW_MS = HORIZON_MS - MINUTE_MS;
// Status changes later than this after receipt are dropped from the tenant,
// so the settled status is known whenever the final read happens.
const SETTLED_BY_MS = HORIZON_MS - HOUR_MS;

// Client timeout of the handler's requests in these runs, and a reply delay
// that exceeds it.
const HTTP_TIMEOUT_SECONDS = 2;
const SLOW_REPLY_MS = 3500;
// A run longer than this (real time) counts as hung and is killed.
const HUNG_AFTER_MS = 150 * SECOND_MS;
// Runs after the horizon, at most, until every period has had its final read.
const MAX_CATCH_UP_RUNS = 8;
// Errors of failed and partial runs kept in a seed's report.
const MAX_ERRORS_KEPT = 20;

/**
 * Sizes of a scenario. `ci` keeps 30 seeds under 10 minutes on 2 cores;
 * `long` has more mail and more runs per seed.
 */
const SCALES = {
  ci: {
    mailHours: 3,
    messagesPerDay: 1000,
    // Share of seeds with a 20-minute burst of mail, large enough that one
    // read delivers it in two or more ingestion batches.
    burstShare: 0.3,
    burstMessagesPerDay: 40000,
    graphPageSize: 100,
    faultStepMinutes: [5, 30],
    quietStepHours: [3, 6],
    killShare: 0.5,
    timeBudget: '00:01:30',
  },
  long: {
    mailHours: 10,
    messagesPerDay: 2500,
    burstShare: 0.6,
    burstMessagesPerDay: 40000,
    graphPageSize: 100,
    faultStepMinutes: [5, 30],
    quietStepHours: [1, 4],
    killShare: 0.5,
    timeBudget: '00:01:30',
  },
};

function createRandom(seed) {
  const next = mulberry32(seed * 2654435761);
  const random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted(entries) {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) {
          return value;
        }
      }
      return entries[entries.length - 1][0];
    },
  };
  return random;
}

function iso(ms) {
  return new Date(ms).toISOString();
}

function jsonBody(status, body, headers = {}) {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

const HTML_PAGE = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: cases.SIGN_IN_HTML };
const EXPIRED_TOKEN = jsonBody(401, {
  error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' },
}, { 'www-authenticate': 'Bearer error="invalid_token"' });

// Faults per service: a name and how to inject it into the fake. Every
// fault applies once (or `times` times), after skipping a random number of
// the service's requests.
const FAULT_MENU = {
  token: {
    throttle: (random) => ['throttle', { retryAfter: random.int(1, 2) }],
    serverError: () => ['serverError'],
    unavailable: () => ['status', jsonBody(503, { error: 'temporarily_unavailable' })],
    reset: () => ['reset'],
    truncatedJson: () => ['truncate', { framing: 'complete' }],
    lostReply: () => ['lostReply'],
  },
  graph: {
    throttle: (random) => ['throttle', { retryAfter: random.int(1, 2) }],
    serverError: () => ['serverError'],
    unavailable: (random) => ['unavailable', { retryAfter: random.int(1, 2) }],
    reset: () => ['reset'],
    slowReply: () => ['delay', { ms: SLOW_REPLY_MS }],
    htmlPage: () => ['htmlPage'],
    truncatedJson: () => ['truncatedJson'],
    expiredToken: () => ['status', EXPIRED_TOKEN],
    lostReply: () => ['lostReply'],
    poisonedNextLink: null,  // not a queued fault: the fake poisons its next next link
  },
  query: {
    throttle: (random) => ['throttle', { retryAfter: random.int(1, 2) }],
    serverError: () => ['serverError'],
    unavailable: () => ['unavailable'],
    reset: () => ['reset'],
    slowReply: () => ['delay', { ms: SLOW_REPLY_MS }],
    htmlPage: () => ['status', HTML_PAGE],
    truncatedJson: () => ['truncate', { framing: 'complete' }],
    expiredToken: () => ['status', EXPIRED_TOKEN],
    lostReply: () => ['lostReply'],
  },
  // NOTE: no 200 HTML page here. Logs Ingestion replies 204 on success, and
  // the handler takes any 2xx as accepted, so such a page would lose rows.
  ingestion: {
    throttle: (random) => ['throttle', { retryAfter: random.int(1, 2) }],
    serverError: () => ['serverError'],
    unavailable: () => ['unavailable'],
    reset: () => ['reset'],
    slowReply: () => ['delay', { ms: SLOW_REPLY_MS }],
    expiredToken: () => ['status', EXPIRED_TOKEN],
    lostReply: () => ['lostReply'],
  },
  storage: {
    reset: () => ({ kind: 'reset' }),
    serverError: () => ({ kind: 'status', status: 500 }),
    unavailable: () => ({ kind: 'status', status: 503 }),
    outage: () => ({ kind: 'status', status: 503, times: 5 }),
    lostReply: () => ({ kind: 'lostReply' }),
  },
};

const SERVICE_WEIGHTS = [['graph', 30], ['ingestion', 25], ['storage', 20], ['query', 15], ['token', 10]];
const KILL_POINTS = [['time', 35], ['ingestion', 20], ['betweenBatches', 15], ['storageBefore', 15], ['storageAfter', 15]];

function isStateWrite(entry) {
  return entry.method === 'PUT';
}

/** True when a checkpoint write records a batch about to be sent. */
function recordsPendingBatch(entry, body) {
  if (!entry.path.endsWith('/checkpoint.json')) {
    return false;
  }
  try {
    return JSON.parse(body.toString('utf8')).pending.length > 0;
  } catch {
    return false;
  }
}

function countBy(target, key, amount = 1) {
  target[key] = (target[key] || 0) + amount;
}

/**
 * Runs one seed.
 *
 * @param {number} seed
 * @param {object} [options]
 * @param {string} [options.scale] 'ci' (default) or 'long'
 * @param {(line: string) => void} [options.log] progress lines
 * @returns {Promise<object>} the seed's report: tenant figures, runs by
 *   outcome, faults hit and kills by kind, lost, doubled, wrong and
 *   mismatched rows, problems (each a sentence) and the real duration
 */
async function runSeed(seed, { scale = 'ci', log = () => {} } = {}) {
  const config = SCALES[scale];
  if (!config) {
    throw new Error(`unknown scale '${scale}'; use ${Object.keys(SCALES).join(' or ')}`);
  }
  const random = createRandom(seed);
  const startedAt = Date.now();
  const mailStart = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const mailEnd = mailStart + config.mailHours * HOUR_MS;
  const rows = buildTenantRows(seed, mailStart, mailEnd, config, random);
  const queryLagMs = random.int(0, 15) * MINUTE_MS;

  const report = {
    seed,
    scale,
    tenant: describeTenant(rows),
    queryLagMinutes: queryLagMs / MINUTE_MS,
    steps: 0,
    processes: 0,
    outcomes: {},
    kills: {},
    faults: {},
    deliveryChecks: 0,
    batchesResent: 0,
    batchesConfirmed: 0,
    leasesBroken: 0,
    caughtUp: false,
    lost: 0,
    doubled: 0,
    wrong: 0,
    mismatched: 0,
    examples: [],
    errors: [],
    problems: [],
    virtualHours: 0,
    durationMs: 0,
  };

  const fakes = await startFakes({
    rows,
    messageTraceStart: iso(mailStart),
    queryLagMs,
    graph: { serverPageSize: config.graphPageSize },
  });
  let proxy;
  try {
    proxy = await startStorageProxy(fakes.azurite);
    const admin = createBlobAdmin(fakes.azurite);
    const env = fakes.env({
      AzureWebJobsStorage: proxy.connectionString,
      MESSAGE_TRACE_HTTP_TIMEOUT: String(HTTP_TIMEOUT_SECONDS),
      MESSAGE_TRACE_TIME_BUDGET: config.timeBudget,
    });
    const context = { seed, config, random, fakes, proxy, admin, env, report, log };

    // Faults from the first run until an hour after the last mail.
    let virtual = mailStart + random.int(30, 150) * MINUTE_MS;
    while (virtual < mailEnd + HOUR_MS) {
      await runStep(context, virtual, true);
      virtual += random.int(...config.faultStepMinutes) * MINUTE_MS;
    }

    // Quiet runs until every period of mail has passed the horizon.
    while (virtual < mailEnd + HORIZON_MS + HOUR_MS) {
      await runStep(context, virtual, false);
      virtual += random.int(...config.quietStepHours) * HOUR_MS;
    }
    for (let run = 0; run < MAX_CATCH_UP_RUNS && !report.caughtUp; run += 1) {
      await runStep(context, virtual, false);
      report.caughtUp = await hasCaughtUp(admin, fakes.table, mailEnd);
      virtual += HOUR_MS;
    }
    if (!report.caughtUp) {
      report.problems.push(`periods of mail still wait for re-reads or batches are pending after ${MAX_CATCH_UP_RUNS} ` +
        'runs past the horizon');
    }
    report.virtualHours = Math.round((virtual - mailStart) / HOUR_MS);

    collectFaultFigures(context);
    const verdict = checkTable(rows, fakes.ingestedRows());
    Object.assign(report, {
      lost: verdict.lost,
      doubled: verdict.doubled,
      wrong: verdict.wrong,
      mismatched: verdict.mismatched,
      examples: verdict.examples,
    });
    for (const kind of ['lost', 'doubled', 'wrong', 'mismatched']) {
      if (report[kind] > 0) {
        report.problems.push(`${report[kind]} rows ${kind}`);
      }
    }
  } finally {
    if (proxy) {
      await proxy.stop();
    }
    await fakes.stop();
  }
  report.durationMs = Date.now() - startedAt;
  return report;
}

/**
 * Generates the tenant: mail at a steady rate with 8 % of rows up to a
 * day late, 15 % first listed as gettingStatus or pending, 1 % stuck in
 * gettingStatus, and for some seeds a burst of mail.
 */
function buildTenantRows(seed, mailStart, mailEnd, config, random) {
  const shape = {
    lateness: { minMs: 30 * SECOND_MS, typicalMaxMs: 10 * MINUTE_MS, lateShare: 0.08, lateMaxMs: LATEST_ROW_MS },
    transientShare: 0.15,
    settleMs: { min: MINUTE_MS, max: 6 * HOUR_MS },
    stuckShare: 0.01,
  };
  let rows = generateTenant({ seed, start: mailStart, end: mailEnd, messagesPerDay: config.messagesPerDay, ...shape }).rows;
  if (random.chance(config.burstShare)) {
    const burstStart = mailStart + random.int(0, config.mailHours * 60 - 20) * MINUTE_MS;
    const burst = generateTenant({
      seed: seed + 100003,
      start: burstStart,
      end: burstStart + 20 * MINUTE_MS,
      messagesPerDay: config.burstMessagesPerDay,
      ...shape,
    });
    rows = rows.concat(burst.rows);
  }
  settleBeforeHorizon(rows, SETTLED_BY_MS);
  return uniquePairs(rows);
}

/**
 * Keeps the first row of each (message, recipient): message trace lists a
 * recipient once per message, but the generator can address one external
 * recipient twice.
 */
function uniquePairs(rows) {
  const seen = new Set();
  return rows.filter((row) => {
    const key = `${row.id}|${row.recipientAddress.toLowerCase()}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** Reads the checkpoint: every period that contains mail had its final read, and no batch is pending. */
async function hasCaughtUp(admin, table, mailEnd) {
  const checkpoint = await admin.readCheckpoint(table);
  if (!checkpoint) {
    return false;
  }
  const settling = checkpoint.segments.filter((segment) => Date.parse(segment.start) < mailEnd);
  return settling.length === 0 && checkpoint.pending.length === 0 && Date.parse(checkpoint.frontier) >= mailEnd;
}

/** One step: set the virtual time, plan faults and a kill, start the handler, check what it returned. */
async function runStep(context, virtual, withFaults) {
  const { fakes, proxy, random, config, report, admin, log } = context;
  const offsetMs = Math.floor((virtual - Date.now()) / SECOND_MS) * SECOND_MS;
  if (offsetMs < 0) {
    throw new Error(`virtual time ${iso(virtual)} fell behind the real clock; the test certificates would not be valid yet`);
  }
  fakes.clock.setOffset(offsetMs);
  fakes.clearFaults();
  proxy.clearFaults();
  fakes.token.setTokenLifetime(3599);
  report.steps += 1;

  const mode = withFaults ? random.weighted([['run', 70], ['overlap', 15], ['host', 15]]) : 'run';
  const step = {
    withFaults,
    offsetMs,
    ingestionStart: fakes.ingestion.requests().length,
    injected: [],
    killPoint: null,
    killed: false,
    target: null,
    over: false,
  };
  context.step = step;

  // Kill hooks go in first, so that they see every request before a fault takes it.
  if (withFaults && random.chance(config.killShare)) {
    const point = mode === 'overlap' ? 'time' : random.weighted(KILL_POINTS);
    armKill(context, point);
  }
  if (withFaults) {
    injectFaults(context);
  }

  if (mode === 'host') {
    await runHostStep(context);
  } else {
    await runProcessStep(context, mode === 'overlap' ? 2 : 1);
  }
  step.over = true;
  clearTimeout(step.killTimer);

  // No handler process of this seed is alive now. Azurite times leases in
  // real seconds, while at least five virtual minutes pass between steps,
  // so a lease left behind by a killed run (or a lost release) would have
  // expired by the next step: break it.
  const leaseState = await admin.leaseState(`${fakes.table}/lease`);
  if (leaseState === 'leased') {
    await admin.breakLease(`${fakes.table}/lease`);
    report.leasesBroken += 1;
  }

  for (const injected of step.injected) {
    const hits = injected.hits();
    if (hits > 0) {
      countBy(report.faults, injected.label, hits);
    }
  }
  if (step.killed) {
    countBy(report.kills, step.killPoint);
  }
  log(`seed ${context.seed} step ${report.steps} at +${(offsetMs / HOUR_MS).toFixed(1)} h: ${mode}` +
    `${step.killPoint ? `, kill at ${step.killPoint}${step.killed ? '' : ' (not reached)'}` : ''}` +
    `${step.injected.length ? `, faults ${step.injected.map((item) => item.label).join(' ')}` : ''}`);
}

/** Kills the step's handler process; the first call wins, and nothing happens once the step is over. */
function killTarget(step) {
  if (step.over || step.killed || !step.target) {
    return;
  }
  if (step.target.kill()) {
    step.killed = true;
  }
}

function armKill(context, point) {
  const { fakes, proxy, random, step } = context;
  step.killPoint = point;
  switch (point) {
    case 'time':
      step.killDelayMs = random.int(100, 2500);
      break;
    case 'ingestion': {
      // At the arrival of an ingestion request: its rows land, and the
      // process dies before it can read the reply.
      const index = random.int(0, 1);
      let seen = 0;
      fakes.ingestion.inject({ kind: 'killHook' }, {
        times: Infinity,
        match: (entry) => {
          if (entry.method === 'POST' && seen++ === index) {
            killTarget(step);
          }
          return false;
        },
      });
      break;
    }
    case 'betweenBatches':
      // At the write-ahead of the next batch, after an earlier one was accepted.
      proxy.onRequest((entry, body) => {
        const accepted = fakes.ingestion.requests().slice(step.ingestionStart).some((item) => item.status === 204);
        if (!step.killed && accepted && isStateWrite(entry) && recordsPendingBatch(entry, body)) {
          killTarget(step);
          return true;
        }
        return false;
      });
      break;
    case 'storageBefore': {
      // A state write that never reaches storage.
      const index = random.int(0, 6);
      let seen = 0;
      proxy.onRequest((entry) => {
        if (!step.killed && isStateWrite(entry) && seen++ === index) {
          killTarget(step);
          return true;
        }
        return false;
      });
      break;
    }
    default: {
      // A state write that storage applied, its reply never read.
      const index = random.int(0, 6);
      let seen = 0;
      proxy.onReply((entry) => {
        if (!step.killed && isStateWrite(entry) && seen++ === index) {
          killTarget(step);
        }
      });
    }
  }
}

function injectFaults(context) {
  const { fakes, proxy, random, step } = context;
  const count = random.weighted([[0, 25], [1, 35], [2, 25], [3, 15]]);
  for (let i = 0; i < count; i += 1) {
    const service = random.weighted(SERVICE_WEIGHTS);
    const kind = random.pick(Object.keys(FAULT_MENU[service]));
    const label = `${service} ${kind}`;
    // Storage and Graph see many requests per run, the others one or two.
    const skip = random.int(0, { storage: 8, graph: 3 }[service] ?? 1);

    if (service === 'storage') {
      const stored = proxy.inject({ ...FAULT_MENU.storage[kind](), skip });
      step.injected.push({ label, hits: () => stored.times - stored.remaining });
    } else if (kind === 'poisonedNextLink') {
      const before = fakes.graph.requests().length;
      fakes.graph.poisonNextLinks({ times: 1, variant: random.pick(['quotedDates', 'recipient']) });
      step.injected.push({
        label,
        hits: () => fakes.graph.requests().slice(before).filter((entry) => entry.status === 400 && /skiptoken/i.test(entry.rawQuery)).length,
      });
    } else {
      const [preset, options = {}] = FAULT_MENU[service][kind](random);
      const handle = fakes[service].inject(preset, { ...options, skip });
      step.injected.push({ label, hits: () => handle.hits });
    }
  }
  if (random.chance(0.1)) {
    // Tokens that expire within seconds, during the run.
    fakes.token.setTokenLifetime(random.int(3, 8));
    step.injected.push({ label: 'token shortLifetime', hits: () => 1 });
  }
}

async function runProcessStep(context, count) {
  const { env, step, report } = context;
  const runs = [];
  for (let i = 0; i < count; i += 1) {
    runs.push(startRun(env, { offsetMs: step.offsetMs, timeoutMs: HUNG_AFTER_MS }));
  }
  report.processes += runs.length;
  step.target = runs[0];
  if (step.killPoint === 'time') {
    step.killTimer = setTimeout(() => killTarget(step), step.killDelayMs);
  }
  const results = await Promise.all(runs.map((run) => run.done));
  results.forEach((result) => checkRunResult(context, result));
}

function checkRunResult(context, result) {
  const { report, step } = context;
  collectHandlerLog(report, result.stderr);
  if (result.hung) {
    countBy(report.outcomes, 'hung');
    report.problems.push(`a run hung for ${HUNG_AFTER_MS} ms at +${step.offsetMs / HOUR_MS} h`);
    return;
  }
  if (result.killed) {
    countBy(report.outcomes, 'killed');
    return;
  }
  const { summary } = result;
  if (!summary) {
    countBy(report.outcomes, 'no summary');
    report.problems.push(`a run printed no run summary (exit ${result.code}, signal ${result.signal}): ` +
      `${result.stderr.split('\n').slice(-3).join(' / ')}`);
    return;
  }
  checkSummary(context, summary, `exit ${result.code}`);
  const expectedCode = { succeeded: 0, partial: 3, failed: 1 }[summary.status];
  if (result.code !== expectedCode) {
    report.problems.push(`a ${summary.status} run exited with ${result.code}`);
  }
}

function checkSummary(context, summary, where) {
  const { report, step } = context;
  const missing = missingSummaryKeys(summary);
  if (missing.length > 0) {
    report.problems.push(`a run summary (${where}) lacks ${missing.join(', ')}`);
  }
  countBy(report.outcomes, summary.skipped ? 'skipped' : summary.status);
  if (summary.error && report.errors.length < MAX_ERRORS_KEPT) {
    report.errors.push(`${summary.status}: ${summary.error}`);
  }
  if (!step.withFaults && (summary.status !== 'succeeded' || summary.skipped)) {
    report.problems.push(`a run without faults at +${(step.offsetMs / HOUR_MS).toFixed(1)} h ended ` +
      `${summary.skipped ? 'skipped' : summary.status}: ${summary.error}`);
  }
}

async function runHostStep(context) {
  const { env, step, report } = context;
  const host = await startHostAt(env, { offsetMs: step.offsetMs, functionTimeoutMs: HUNG_AFTER_MS });
  report.processes += 1;
  try {
    const pid = host.pid();
    step.target = {
      kill: () => {
        try {
          process.kill(pid, 'SIGKILL');
          return true;
        } catch {
          return false;
        }
      },
    };
    if (step.killPoint === 'time') {
      step.killTimer = setTimeout(() => killTarget(step), step.killDelayMs);
    }
    const result = await host.invoke({ kind: 'scheduled' });
    collectHandlerLog(report, result.output.filter((line) => line.stream === 'stderr').map((line) => line.text).join('\n'));
    if (step.killed) {
      countBy(report.outcomes, 'killed');
    } else if (result.ok) {
      checkSummary(context, result.returnValue, 'host');
    } else if (result.failureReason === 'non-2xx' && result.status === 500 && step.withFaults) {
      // The host never reads the body of a 500; the test does, for the report.
      countBy(report.outcomes, 'failed');
      if (report.errors.length < MAX_ERRORS_KEPT) {
        report.errors.push(`failed: ${hostReplyError(result.body)}`);
      }
    } else {
      countBy(report.outcomes, result.failureReason);
      report.problems.push(`a host invocation failed (${result.failureReason}): ${result.failureMessage}`);
    }
  } finally {
    await host.stop();
  }
}

function hostReplyError(body) {
  try {
    return JSON.parse(body).ReturnValue.error;
  } catch {
    return `(reply body is not a run summary: ${String(body).slice(0, 200)})`;
  }
}

// Log lines of the handler that show which recovery path a run took.
const RECOVERY_LINES = [
  [/never landed; sending it again/, 'batchesResent'],
  [/is in the workspace; recording it as delivered/, 'batchesConfirmed'],
];

function collectHandlerLog(report, stderr) {
  for (const line of stderr.split('\n')) {
    for (const [pattern, key] of RECOVERY_LINES) {
      if (pattern.test(line)) {
        report[key] += 1;
      }
    }
  }
}

function collectFaultFigures(context) {
  const { fakes, report } = context;
  report.deliveryChecks = fakes.query.queries().filter((query) => /\|\s*count\s*$/.test(query.text)).length;
}

/**
 * Runs seeds with at most `jobs` at once; resolves with the reports in seed
 * order. A seed that throws yields a report with the error as its problem.
 */
async function runSeeds(seeds, { jobs = 2, scale = 'ci', log = () => {}, onReport = () => {} } = {}) {
  const reports = new Array(seeds.length);
  let next = 0;
  async function worker() {
    while (next < seeds.length) {
      const index = next;
      next += 1;
      try {
        reports[index] = await runSeed(seeds[index], { scale, log });
      } catch (error) {
        reports[index] = { seed: seeds[index], scale, problems: [`the scenario itself failed: ${error.stack || error}`] };
      }
      onReport(reports[index]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, seeds.length) }, worker));
  return reports;
}

module.exports = { runSeed, runSeeds, SCALES, FAULT_MENU, HORIZON_MS, LATEST_ROW_MS, SETTLED_BY_MS };
