'use strict';

// Throwaway certificate authority and server certificate for the loopback
// fakes, made with the openssl command-line tool. The handler trusts the CA
// through SSL_CERT_FILE, and Node clients through a `ca` option or
// NODE_EXTRA_CA_CERTS.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const VALIDITY_DAYS = '7';

function runOpenssl(args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = error.stderr ? error.stderr.toString().trim() : '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || error.message}`);
  }
}

/**
 * Creates a test CA and a server certificate for 127.0.0.1 and localhost
 * (IP and DNS subject alternative names), both with P-256 keys.
 *
 * @param {object} [options]
 * @param {string} [options.dir] directory for the files; a fresh temporary
 *   directory when omitted, which `cleanup()` then removes
 * @returns {{dir: string, caPath: string, caPem: string, certPath: string,
 *   certPem: string, keyPath: string, keyPem: string, cleanup: () => void}}
 */
function createTestCertificates({ dir } = {}) {
  const ownsDir = !dir;
  const workDir = dir || fs.mkdtempSync(path.join(os.tmpdir(), 'mth-tls-'));
  fs.mkdirSync(workDir, { recursive: true });

  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  runOpenssl(
    [
      'req', '-x509', ...ecKey,
      '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', VALIDITY_DAYS,
      '-subj', '/CN=Message trace handler test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    workDir,
  );
  runOpenssl(
    ['req', ...ecKey, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
    workDir,
  );
  fs.writeFileSync(
    path.join(workDir, 'server-ext.cnf'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  runOpenssl(
    [
      'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem',
      '-set_serial', `0x${require('node:crypto').randomBytes(8).toString('hex')}`,
      '-out', 'server.pem', '-days', VALIDITY_DAYS, '-extfile', 'server-ext.cnf',
    ],
    workDir,
  );

  const caPath = path.join(workDir, 'ca.pem');
  const certPath = path.join(workDir, 'server.pem');
  const keyPath = path.join(workDir, 'server-key.pem');
  return {
    dir: workDir,
    caPath,
    caPem: fs.readFileSync(caPath, 'utf8'),
    certPath,
    certPem: fs.readFileSync(certPath, 'utf8'),
    keyPath,
    keyPem: fs.readFileSync(keyPath, 'utf8'),
    cleanup() {
      if (ownsDir) {
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { createTestCertificates };
