'use strict';

// The handler's Blob storage client against real Azurite: runs the
// BlobStoreAzurite GoogleTest cases with AZURITE_CONNECTION_STRING set, and
// checks the Azurite harness itself.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { startAzurite, ACCOUNT_KEY } = require('../fakes/azurite');

const UNIT_TESTS = path.resolve(__dirname, '..', '..', 'build', 'tests', 'unit', 'unit_tests');
const RUN_TIMEOUT_MS = 120 * 1000;
// The BlobStoreAzurite cases in tests/unit/blob_store_azurite_test.cpp.
const AZURITE_CASES = 12;

/** Runs a program; resolves with {code, signal, output} (stdout and stderr together). */
function run(file, args, { env, timeoutMs = RUN_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Sends an unauthenticated request to Azurite and resolves with the status and request id. */
function probe(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, requestId: res.headers['x-ms-request-id'] }));
    });
    req.on('error', reject);
  });
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('BlobStore against Azurite', () => {
  let azurite;

  before(async () => {
    azurite = await startAzurite();
  });

  after(async () => {
    if (azurite) {
      await azurite.stop();
    }
  });

  it('passes every BlobStoreAzurite case', async () => {
    assert.ok(fs.existsSync(UNIT_TESTS), `${UNIT_TESTS} is missing; build first: cmake --build --preset default`);
    const { code, signal, output } = await run(UNIT_TESTS, ['--gtest_filter=BlobStoreAzurite*'], {
      env: { ...process.env, AZURITE_CONNECTION_STRING: azurite.connectionString },
    });

    assert.equal(signal, null, `unit_tests was killed by ${signal}:\n${output}`);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`\\[==========\\] ${AZURITE_CASES} tests from 1 test suite ran`), output);
    assert.match(output, new RegExp(`\\[  PASSED  \\] ${AZURITE_CASES} tests\\.`), output);
    assert.doesNotMatch(output, /SKIPPED/, output);
  });
});

describe('Azurite harness', () => {
  it('runs two instances side by side and stops each by pid', async () => {
    const first = await startAzurite();
    let second;
    try {
      second = await startAzurite();
      assert.notEqual(first.port, second.port);
      assert.notEqual(first.pid, second.pid);
      assert.notEqual(first.location, second.location);

      for (const instance of [first, second]) {
        // Without a signature Azurite returns 403, with its request id.
        const reply = await probe(`${instance.blobEndpoint}?comp=list`);
        assert.equal(reply.status, 403);
        assert.ok(reply.requestId, 'x-ms-request-id is missing');
      }
    } finally {
      await first.stop();
      if (second) {
        await second.stop();
      }
    }

    for (const instance of [first, second]) {
      assert.equal(isRunning(instance.pid), false, `Azurite ${instance.pid} is still running`);
      assert.equal(fs.existsSync(instance.location), false, `${instance.location} was not removed`);
    }
  });

  it('returns a connection string for the development account on its port', async () => {
    const azurite = await startAzurite();
    try {
      assert.match(azurite.blobEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      assert.equal(
        azurite.connectionString,
        `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};` +
          `BlobEndpoint=http://127.0.0.1:${azurite.port}/devstoreaccount1;`,
      );
    } finally {
      await azurite.stop();
    }
  });
});
