'use strict';

// Fake Microsoft Entra ID token endpoint (client credentials grant, v2.0) and
// the JWT-shaped bearer tokens it issues. The other fakes verify those tokens
// with `verifyBearer`.

const crypto = require('node:crypto');
const { startFakeServer, jsonReply, randomGuid } = require('./server');
const { createAssertionVerifier } = require('./client-assertion');

/** Resources the fake issues tokens for, as they appear in `aud`. */
const KNOWN_AUDIENCES = [
  'https://graph.microsoft.com',
  'https://outlook.office365.com',
  'https://monitor.azure.com',
  'https://api.loganalytics.io',
  'https://storage.azure.com',
];

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

function createTokenSigner({ tenantId, clientId, clock }) {
  const key = crypto.randomBytes(32);

  function sign(payload) {
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'fake-entra' }));
    const body = base64url(JSON.stringify(payload));
    const signature = crypto.createHmac('sha256', key).update(`${header}.${body}`).digest('base64url');
    return `${header}.${body}.${signature}`;
  }

  // `appid` is the client id of the app or managed identity the token is for.
  function issue(audience, lifetimeSeconds, appid = clientId) {
    const nowSeconds = Math.floor(clock.now() / 1000);
    return sign({
      aud: audience,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + lifetimeSeconds,
      appid,
      appidacr: '1',
      idtyp: 'app',
      oid: randomGuid(),
      sub: randomGuid(),
      tid: tenantId,
      ver: '1.0',
    });
  }

  /**
   * Checks an `Authorization` header value. Returns `{ok: true, claims}` or
   * `{ok: false, reason}` with reason one of missing, malformed, signature,
   * expired, audience, tenant.
   */
  function verifyBearer(authorization, expectedAudience) {
    if (!authorization) {
      return { ok: false, reason: 'missing' };
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) {
      return { ok: false, reason: 'malformed' };
    }
    const parts = match[1].split('.');
    if (parts.length !== 3) {
      return { ok: false, reason: 'malformed' };
    }

    const expected = crypto.createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
    const presented = Buffer.from(parts[2], 'base64url');
    if (presented.length !== expected.length || !crypto.timingSafeEqual(presented, expected)) {
      return { ok: false, reason: 'signature' };
    }
    let claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }

    if (claims.exp * 1000 <= clock.now()) {
      return { ok: false, reason: 'expired', claims };
    }
    if (claims.aud !== expectedAudience) {
      return { ok: false, reason: 'audience', claims };
    }
    if (claims.tid !== tenantId) {
      return { ok: false, reason: 'tenant', claims };
    }
    return { ok: true, claims };
  }

  return { issue, verifyBearer };
}

function entraTimestamp(date) {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * Starts the fake token endpoint.
 *
 * Serves `POST /{tenant}/oauth2/v2.0/token` (client credentials: a secret in
 * the form body or in HTTP Basic auth, or a client assertion signed with a
 * certificate from `registerCertificate`) and
 * `GET /{tenant}/v2.0/.well-known/openid-configuration` so that MSAL can use
 * the fake as its authority.
 *
 * @returns the server handle plus `verifyBearer(header, audience)`,
 *   `issued()` (one entry per token: audience, clientId, issuedAt, expiresAt, token),
 *   `setTokenLifetime(seconds)`, `registerCertificate(pem, clientId)`,
 *   `assertions()`, `issueToken(audience, seconds, appid)` and
 *   `inject(preset, options)`.
 */
async function startTokenFake({ tls, tenantId, clientId, clientSecret, clock, tokenLifetimeSeconds = 3599 }) {
  const signer = createTokenSigner({ tenantId, clientId, clock });
  const assertionVerifier = createAssertionVerifier({ clock });
  const issued = [];
  let lifetimeSeconds = tokenLifetimeSeconds;
  let baseUrl = '';

  function entraError(status, error, code, description) {
    const traceId = randomGuid();
    const correlationId = randomGuid();
    const now = new Date(clock.now());
    return jsonReply(status, {
      error,
      error_description:
        `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} ` +
        `Timestamp: ${entraTimestamp(now)}`,
      error_codes: [code],
      timestamp: entraTimestamp(now),
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${baseUrl}/error?code=${code}`,
    });
  }

  function openidConfiguration(tenant) {
    const root = `${baseUrl}/${tenant}`;
    return jsonReply(200, {
      token_endpoint: `${root}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${root}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'ver'],
      tenant_region_scope: 'EU',
    });
  }

  function readCredentials(req, form) {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization || '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
    return { id: form.get('client_id'), secret: form.get('client_secret') };
  }

  function tokenRequest(req, tenant, body, entry) {
    if (tenant !== tenantId) {
      return entraError(400, 'invalid_request', 90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const contentType = String(req.headers['content-type'] || '');
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return entraError(400, 'invalid_request', 900144,
        "The request body must contain the following parameter: 'grant_type'.");
    }
    const form = new URLSearchParams(body.toString('utf8'));
    entry.form = { grant_type: form.get('grant_type'), client_id: form.get('client_id'), scope: form.get('scope') };
    const grantType = form.get('grant_type');
    if (!grantType) {
      return entraError(400, 'invalid_request', 900144,
        "The request body must contain the following parameter: 'grant_type'.");
    }
    if (grantType !== 'client_credentials') {
      return entraError(400, 'unsupported_grant_type', 70003,
        `The app requested an unsupported grant type '${grantType}'.`);
    }
    const credentials = readCredentials(req, form);
    if (!credentials.id) {
      return entraError(400, 'invalid_request', 900144,
        "The request body must contain the following parameter: 'client_id'.");
    }
    if (credentials.id !== clientId) {
      return entraError(400, 'unauthorized_client', 700016,
        `Application with identifier '${credentials.id}' was not found in the directory '${tenant}'.`);
    }
    if (form.has('client_assertion') || form.has('client_assertion_type')) {
      entry.credential = 'client_assertion';
      const verdict = assertionVerifier.verify({
        assertionType: form.get('client_assertion_type'),
        assertion: form.get('client_assertion'),
        clientId: credentials.id,
        tokenUrl: `${baseUrl}/${tenant}/oauth2/v2.0/token`,
      });
      if (!verdict.ok) {
        entry.assertionError = verdict.code;
        return entraError(verdict.status, verdict.error, verdict.code, verdict.description);
      }
    } else {
      entry.credential = 'client_secret';
      if (!credentials.secret) {
        return entraError(401, 'invalid_client', 7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      }
      if (credentials.secret !== clientSecret) {
        return entraError(401, 'invalid_client', 7000215,
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ' +
            `not the client secret ID, for a secret added to app '${clientId}'.`);
      }
    }
    const scopes = (form.get('scope') || '').split(' ').filter(Boolean);
    if (scopes.length === 0) {
      return entraError(400, 'invalid_scope', 70011,
        "The provided request must include a 'scope' input parameter.");
    }
    if (scopes.length > 1) {
      return entraError(400, 'invalid_scope', 70011,
        `The provided value for the input parameter 'scope' is not valid. The scope '${scopes.join(' ')}' names more than one resource.`);
    }
    const scope = scopes[0];
    if (!scope.endsWith('/.default')) {
      return entraError(400, 'invalid_scope', 1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with ` +
          '/.default suffixed to the resource identifier (application ID URI).');
    }
    const audience = scope.slice(0, -'/.default'.length);
    if (!KNOWN_AUDIENCES.includes(audience)) {
      return entraError(400, 'invalid_scope', 70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid. ` +
          `The resource principal named ${audience} was not found in the tenant named ${tenant}.`);
    }

    const accessToken = signer.issue(audience, lifetimeSeconds);
    const issuedAt = clock.now();
    issued.push({ audience, clientId, issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000, token: accessToken });
    entry.audience = audience;
    return jsonReply(200, {
      token_type: 'Bearer',
      expires_in: lifetimeSeconds,
      ext_expires_in: lifetimeSeconds,
      access_token: accessToken,
    }, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
  }

  async function handle({ req, url, body, entry }) {
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (tokenPath) {
      if (req.method !== 'POST') {
        return entraError(405, 'invalid_request', 900561,
          'The endpoint only accepts POST requests.');
      }
      return tokenRequest(req, decodeURIComponent(tokenPath[1]), body, entry);
    }
    const metadataPath = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (metadataPath && req.method === 'GET') {
      const tenant = decodeURIComponent(metadataPath[1]);
      if (tenant !== tenantId && tenant !== 'organizations' && tenant !== 'common') {
        return entraError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
      }
      return openidConfiguration(tenant);
    }
    return jsonReply(404, { error: 'not_found', error_description: `No such endpoint: ${url.pathname}` });
  }

  const presets = {
    serverError: () => ({ kind: 'reply', status: 500, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'AADSTS50089: The server is temporarily unavailable.', error_codes: [50089] }) }),
    throttle: ({ retryAfter = 1 } = {}) => ({ kind: 'reply', status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
      body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'AADSTS50196: The server terminated an operation because it encountered a client request loop.', error_codes: [50196] }) }),
  };

  const server = await startFakeServer({ name: 'token', tls, handle, presets });
  baseUrl = server.baseUrl;
  return {
    ...server,
    verifyBearer: signer.verifyBearer,
    issueToken: (audience, seconds = lifetimeSeconds, appid = clientId) => signer.issue(audience, seconds, appid),
    /** Registers a certificate (PEM) whose client assertions the fake accepts for `appClientId`. */
    registerCertificate: (certificatePem, appClientId = clientId) =>
      assertionVerifier.registerCertificate(certificatePem, appClientId),
    /** Every client assertion received: {assertion (raw JWT), ok, code, header, claims}. */
    assertions: () => assertionVerifier.assertions(),
    issued: () => issued.slice(),
    setTokenLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startTokenFake, KNOWN_AUDIENCES };
