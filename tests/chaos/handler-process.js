'use strict';

// Runs the real handler binary at a virtual time: `handler run` as a child
// process, or the serving handler behind the host emulator, each under
// libfaketime so that its wall clock matches the fakes' shared clock.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startHost } = require('../host/host-emulator');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Returns the path of the binary under test: HANDLER_PATH, or the default build's. */
function handlerPath() {
  return path.resolve(process.env.HANDLER_PATH || path.join(REPO_ROOT, 'build', 'handler', 'handler'));
}

// The multi-threaded variant, because the serving handler replies to the
// host's probes on other threads while a collection runs. Debian installs
// it in the first of these paths.
const LIBFAKETIME_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
];

const RUN_SUMMARY_KEYS = ['status', 'windowStart', 'windowEnd', 'recordsFetched', 'recordsIngested',
  'duplicatesSkipped', 'error'];

// `handler run` processes still running, killed by pid if this process exits first.
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function findLibfaketime() {
  return LIBFAKETIME_CANDIDATES.find((candidate) => fs.existsSync(candidate)) || null;
}

/** Why the handler cannot run under faketime here, or false when it can. */
function handlerUnavailable() {
  if (!fs.existsSync(handlerPath())) {
    return `handler binary not found at ${handlerPath()}; build it with cmake --build --preset default`;
  }
  if (!findLibfaketime()) {
    return 'libfaketime is not installed; run scripts/install-deps.sh (Debian package faketime)';
  }
  return false;
}

/**
 * Returns the variables that make libfaketime report the real time plus
 * `offsetMs` (whole seconds). Monotonic clocks stay real, so timeouts and
 * sleeps take real time.
 */
function faketimeEnv(offsetMs) {
  if (offsetMs % 1000 !== 0) {
    throw new Error(`faketimeEnv: the offset ${offsetMs} ms is not a whole number of seconds`);
  }
  const library = findLibfaketime();
  if (!library) {
    throw new Error('libfaketime is not installed; run scripts/install-deps.sh (Debian package faketime)');
  }
  const seconds = offsetMs / 1000;
  return {
    LD_PRELOAD: library,
    FAKETIME: `${seconds >= 0 ? '+' : ''}${seconds}s`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** Parses the single JSON object `handler run` prints; returns null when stdout contains none. */
function parseSummary(stdout) {
  const text = stdout.trim();
  if (!text) {
    return null;
  }
  try {
    const summary = JSON.parse(text);
    return summary && typeof summary === 'object' && !Array.isArray(summary) ? summary : null;
  } catch {
    return null;
  }
}

/** Lists the run summary keys that the handler contract requires and `summary` lacks. */
function missingSummaryKeys(summary) {
  return RUN_SUMMARY_KEYS.filter((key) => !(key in summary));
}

/**
 * Starts `handler run` at the virtual time `offsetMs` from now.
 *
 * @param {object} env the handler's settings (fakes.env())
 * @param {object} [options]
 * @param {number} [options.offsetMs] virtual clock offset, whole seconds
 * @param {number} [options.timeoutMs] the process is killed after this long and reported as hung
 * @returns {{pid: number, startedAt: number, kill: () => boolean, done: Promise<object>}}
 *   `done` resolves with {code, signal, stdout, stderr, summary, durationMs, hung, killed}
 */
function startRun(env, { offsetMs = 0, timeoutMs = 120 * 1000 } = {}) {
  const startedAt = Date.now();
  const child = spawn(handlerPath(), ['run'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env, ...faketimeEnv(offsetMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let killed = false;
  let hung = false;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });

  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return false;
    }
    killed = true;
    process.kill(child.pid, 'SIGKILL');
    return true;
  };
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      hung = true;
      process.kill(child.pid, 'SIGKILL');
    }
  }, timeoutMs);

  const done = new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}`, summary: null,
        durationMs: Date.now() - startedAt, hung, killed });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, summary: parseSummary(stdout), durationMs: Date.now() - startedAt,
        hung, killed });
    });
  });
  return { pid: child.pid, startedAt, kill, done };
}

/** Runs `handler run` at a virtual time and resolves with its result (see startRun). */
function runHandler(env, options) {
  return startRun(env, options).done;
}

/**
 * Starts the serving handler behind the host emulator at the virtual time
 * `offsetMs` from now. The offset is fixed for the life of the process.
 */
function startHostAt(env, { offsetMs = 0, functionTimeoutMs = 10 * 60 * 1000 } = {}) {
  return startHost({
    handlerPath: handlerPath(),
    env: { ...env, ...faketimeEnv(offsetMs) },
    functionTimeoutMs,
    restartOnTimeout: false,
  });
}

module.exports = {
  handlerPath,
  RUN_SUMMARY_KEYS,
  handlerUnavailable,
  faketimeEnv,
  parseSummary,
  missingSummaryKeys,
  startRun,
  runHandler,
  startHostAt,
};
