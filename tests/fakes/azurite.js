'use strict';

// Starts Azurite's Blob service (the `azurite` dev dependency) on 127.0.0.1
// with an ephemeral port and a throwaway data folder, so that the handler's
// Blob storage client is tested against a real implementation of Shared Key
// signing, conditional writes and leases. Each call starts its own process,
// so several can run side by side.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

// The development storage account that Azurite serves by default. Microsoft
// publishes this key; it protects nothing.
const ACCOUNT_NAME = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const START_TIMEOUT_MS = 30 * 1000;
const STOP_GRACE_MS = 5000;
// Azurite 3.x prints this line once the Blob listener is bound.
const LISTENING = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/;

const REPO_ROOT = path.resolve(__dirname, '..', '..');

// Processes still running, stopped by pid if the test process exits without
// calling stop().
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

function azuriteBlobScript() {
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'azurite-blob');
  if (!fs.existsSync(bin)) {
    throw new Error(`${bin} is missing; run npm ci to install the azurite dev dependency`);
  }
  // The bin entry is a symlink to a Node script; running it with this Node
  // keeps the child's pid the pid of Azurite itself.
  return fs.realpathSync(bin);
}

/** Resolves once a TCP connection to 127.0.0.1:`port` succeeds. */
function waitForPort(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        socket.destroy();
        if (Date.now() > deadline) {
          reject(new Error(`Azurite did not accept connections on 127.0.0.1:${port}: ${error.message}`));
        } else {
          setTimeout(attempt, 50);
        }
      });
    };
    attempt();
  });
}

function waitForExit(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts one Azurite Blob service.
 *
 * @param {object} [options]
 * @param {number} [options.timeoutMs] time allowed for start-up, 30 s by default
 * @returns {Promise<{blobEndpoint: string, connectionString: string, port: number,
 *   pid: number, accountName: string, accountKey: string, location: string,
 *   output: () => string, stop: () => Promise<void>}>}
 */
async function startAzurite({ timeoutMs = START_TIMEOUT_MS } = {}) {
  const script = azuriteBlobScript();
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'mth-azurite-'));
  // --disableTelemetry always: by default Azurite sends usage data out.
  const args = [
    script,
    '--blobHost', '127.0.0.1',
    '--blobPort', '0',
    '--location', location,
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
  ];
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AZURITE_')) {
      delete env[name]; // e.g. AZURITE_ACCOUNTS would replace the development account
    }
  }
  const child = spawn(process.execPath, args, { cwd: location, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let output = '';
  let port;
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match && port === undefined) {
        port = Number(match[1]);
        resolve(port);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running.delete(child);
      reject(new Error(`Azurite exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  // Azurite may exit after a start-up timeout already decided the outcome.
  ready.catch(() => {});

  let stopped = false;
  async function stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        process.kill(child.pid, 'SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
    }
    running.delete(child);
    fs.rmSync(location, { recursive: true, force: true });
  }

  const deadline = Date.now() + timeoutMs;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([ready, timeout]);
    await waitForPort(port, deadline);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const blobEndpoint = `http://127.0.0.1:${port}/${ACCOUNT_NAME}`;
  return {
    blobEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT_NAME};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    port,
    pid: child.pid,
    accountName: ACCOUNT_NAME,
    accountKey: ACCOUNT_KEY,
    location,
    output: () => output,
    stop,
  };
}

module.exports = { startAzurite, ACCOUNT_NAME, ACCOUNT_KEY };
