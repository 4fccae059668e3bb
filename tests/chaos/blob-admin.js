'use strict';

// A minimal Blob service client for tests: reads, deletes and lists the
// handler's state in Azurite and breaks its run lease. Requests are signed
// with Shared Key (service version 2021-12-02), the scheme the handler uses,
// with the development account key that Azurite serves.

const crypto = require('node:crypto');
const http = require('node:http');

const SERVICE_VERSION = '2021-12-02';
// The container the handler keeps its checkpoint, delivery records and lease in.
const STATE_CONTAINER = 'message-trace-handler';

/**
 * Returns the Shared Key string-to-sign of a request: the verb, the standard
 * headers in their fixed order, the x-ms-* headers sorted, and the path
 * prefixed with the account name, followed by the sorted query parameters.
 */
function stringToSign({ method, url, headers, bodyLength, accountName }) {
  const header = (name) => headers[name] ?? '';
  const lines = [
    method,
    header('content-encoding'),
    header('content-language'),
    bodyLength > 0 ? String(bodyLength) : '',
    header('content-md5'),
    header('content-type'),
    header('date'),
    header('if-modified-since'),
    header('if-match'),
    header('if-none-match'),
    header('if-unmodified-since'),
    header('range'),
  ];
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${String(headers[name]).trim()}\n`)
    .join('');
  let resource = `/${accountName}${url.pathname}`;
  const parameters = [...url.searchParams.keys()].map((name) => name.toLowerCase());
  for (const name of [...new Set(parameters)].sort()) {
    resource += `\n${name}:${url.searchParams.getAll(name).sort().join(',')}`;
  }
  return `${lines.join('\n')}\n${canonicalHeaders}${resource}`;
}

/**
 * Creates a client for one Azurite instance.
 *
 * @param {object} azurite the result of startAzurite(): blobEndpoint, accountName, accountKey
 */
function createBlobAdmin({ blobEndpoint, accountName, accountKey }) {
  const key = Buffer.from(accountKey, 'base64');

  function send(method, path, { headers = {}, body = '' } = {}) {
    const url = new URL(`${blobEndpoint}/${path}`);
    const payload = Buffer.from(body, 'utf8');
    const allHeaders = {
      'x-ms-date': new Date().toUTCString(),
      'x-ms-version': SERVICE_VERSION,
      ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    };
    const signature = crypto.createHmac('sha256', key)
      .update(stringToSign({ method, url, headers: allHeaders, bodyLength: payload.length, accountName }), 'utf8')
      .digest('base64');
    allHeaders.authorization = `SharedKey ${accountName}:${signature}`;
    allHeaders['content-length'] = String(payload.length);

    return new Promise((resolve, reject) => {
      const request = http.request(url, { method, headers: allHeaders, agent: false }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(payload);
    });
  }

  function expect(reply, statuses, what) {
    if (!statuses.includes(reply.status)) {
      throw new Error(`${what} failed with HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 500)}`);
    }
    return reply;
  }

  const blobPath = (name) => `${STATE_CONTAINER}/${name.split('/').map(encodeURIComponent).join('/')}`;

  return {
    /** Returns the blob's content as a Buffer, or null when it does not exist. */
    async read(name) {
      const reply = expect(await send('GET', blobPath(name)), [200, 404], `reading blob ${name}`);
      return reply.status === 404 ? null : reply.body;
    },

    /** Parses the handler's checkpoint of `table`, or returns null when there is none. */
    async readCheckpoint(table) {
      const content = await this.read(`${table}/checkpoint.json`);
      return content === null ? null : JSON.parse(content.toString('utf8'));
    },

    /** Deletes a blob; returns false when it did not exist. */
    async remove(name) {
      const reply = expect(await send('DELETE', blobPath(name)), [202, 404], `deleting blob ${name}`);
      return reply.status === 202;
    },

    /**
     * Breaks the lease on a blob at once, as if it had expired. Returns false
     * when the blob does not exist or holds no lease.
     */
    async breakLease(name) {
      const reply = await send('PUT', `${blobPath(name)}?comp=lease`, {
        headers: { 'x-ms-lease-action': 'break', 'x-ms-lease-break-period': '0' },
      });
      if (reply.status === 404 || reply.status === 409) {
        return false;  // no blob, or no lease to break (409 LeaseNotPresentWithLeaseOperation)
      }
      expect(reply, [202], `breaking the lease on blob ${name}`);
      return true;
    },

    /** Returns the lease state of a blob (`available`, `leased`, `broken`, ...), or null when it does not exist. */
    async leaseState(name) {
      const reply = expect(await send('HEAD', blobPath(name)), [200, 404], `reading the properties of blob ${name}`);
      return reply.status === 404 ? null : reply.headers['x-ms-lease-state'];
    },

    /** Lists the names of the blobs under `prefix` in the state container. */
    async list(prefix = '') {
      const query = `restype=container&comp=list&prefix=${encodeURIComponent(prefix)}`;
      const reply = expect(await send('GET', `${STATE_CONTAINER}?${query}`), [200, 404], `listing blobs under ${prefix}`);
      if (reply.status === 404) {
        return [];
      }
      return [...reply.body.toString('utf8').matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1]);
    },
  };
}

module.exports = { createBlobAdmin, stringToSign, STATE_CONTAINER };
