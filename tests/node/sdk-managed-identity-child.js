'use strict';

// Run as a child process by auth.test.js: gets one token with
// @azure/identity's ManagedIdentityCredential and prints
// {token, expiresOnTimestamp} as JSON on stdout.
//
// Usage: node sdk-managed-identity-child.js <scope> [client id]
//
// The parent sets IDENTITY_ENDPOINT and IDENTITY_HEADER to the managed
// identity fake, which makes the SDK pick the App Service source. As a
// second guard, every outbound TCP connection is checked before it opens:
// one to any host but the loopback addresses ends the process with status
// 86, so the SDK can never reach the instance metadata service.

const net = require('node:net');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
const BLOCKED_EXIT_CODE = 86;

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.createConnection passes its normalized [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  const host = options.host || 'localhost';
  if (options.path == null && !LOOPBACK_HOSTS.has(host)) {
    process.stderr.write(`blocked a connection to ${host}:${options.port}\n`);
    process.exit(BLOCKED_EXIT_CODE);
  }
  return connect.apply(this, args);
};

const { ManagedIdentityCredential } = require('@azure/identity');

async function main() {
  const [scope, clientId] = process.argv.slice(2);
  const credential = clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  const token = await credential.getToken(scope);
  process.stdout.write(`${JSON.stringify({ token: token.token, expiresOnTimestamp: token.expiresOnTimestamp })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
