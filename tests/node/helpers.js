'use strict';

// HTTPS helpers for tests that talk to the fakes directly, trusting the test CA.

const https = require('node:https');
const zlib = require('node:zlib');

/**
 * Sends one request and resolves with {status, headers, text, json}; `json`
 * is undefined when the body is not JSON. A transport error rejects.
 */
function request(url, { method = 'GET', headers = {}, body, ca, gzip = false } = {}) {
  return new Promise((resolve, reject) => {
    let payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const allHeaders = { ...headers };
    if (payload && gzip) {
      payload = zlib.gzipSync(payload);
      allHeaders['content-encoding'] = 'gzip';
    }
    if (payload) {
      allHeaders['content-length'] = String(payload.length);
    }
    const req = https.request(url, { method, headers: allHeaders, ca, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload || undefined);
  });
}

/** Requests a client credentials token from the token fake; resolves with the raw reply. */
function requestToken(fakes, { scope, secret = fakes.clientSecret, clientId = fakes.clientId, tenant = fakes.tenantId } = {}) {
  const form = new URLSearchParams({ client_id: clientId, client_secret: secret, grant_type: 'client_credentials' });
  if (scope !== undefined) {
    form.set('scope', scope);
  }
  return request(`${fakes.urls.authority}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    ca: fakes.caPem,
  });
}

/** Resolves with an access token for `audience` (without /.default). */
async function accessToken(fakes, audience) {
  const reply = await requestToken(fakes, { scope: `${audience}/.default` });
  if (reply.status !== 200) {
    throw new Error(`token request for ${audience} failed: ${reply.status} ${reply.text}`);
  }
  return reply.json.access_token;
}

/** Decodes the payload of a JWT-shaped token. */
function decodeJwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Pipeline policy that makes an Azure SDK client trust the test CA. */
function trustPolicy(caPem) {
  const agent = new https.Agent({ ca: caPem, keepAlive: false });
  return {
    policy: {
      name: 'trustTestCa',
      sendRequest(pipelineRequest, next) {
        pipelineRequest.agent = agent;
        return next(pipelineRequest);
      },
    },
    position: 'perCall',
  };
}

module.exports = { request, requestToken, accessToken, decodeJwtPayload, trustPolicy };
