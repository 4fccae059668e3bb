'use strict';

// Fake App Service / Azure Functions managed identity endpoint
// (IDENTITY_ENDPOINT, api-version 2019-08-01). Like the real one it serves
// plain http on the local host: `GET /msi/token?resource=...&api-version=...`
// with the header X-IDENTITY-HEADER. Tokens come from the token fake's
// signer, so the other fakes accept them.
//
// The 400 "Unable to load the proper Managed Identity." and 500 "An
// unexpected error occured while fetching the AAD Token." bodies are the
// ones the real endpoint returns, as quoted in Azure SDK bug reports. The
// bodies for a wrong header, a wrong api-version and a missing resource are
// assumptions in the same shape.

const crypto = require('node:crypto');
const { startFakeServer, jsonReply, randomGuid } = require('./server');
const { KNOWN_AUDIENCES } = require('./token');

const API_VERSION = '2019-08-01';
const TOKEN_PATH = '/msi/token';
const SELECTORS = ['client_id', 'principal_id', 'object_id', 'mi_res_id'];

function identityError(status, message) {
  return jsonReply(status, { statusCode: status, message, correlationId: randomGuid() });
}

/**
 * Starts the fake identity endpoint.
 *
 * @param {object} options
 * @param {object} options.tokens the token fake (issueToken signs the tokens)
 * @param {object} options.clock shared clock (createClock)
 * @param {string|null} [options.systemAssigned] client id of the system-assigned
 *   identity, a new GUID by default; null when it is turned off
 * @param {string[]} [options.userAssigned] client ids of the user-assigned
 *   identities assigned to the app, one new GUID by default
 * @param {number} [options.tokenLifetimeSeconds] lifetime of issued tokens,
 *   24 hours by default as on App Service
 * @returns {Promise<object>} the server handle plus `endpoint` (IDENTITY_ENDPOINT),
 *   `header()` (the current IDENTITY_HEADER), `rotateHeader()`,
 *   `systemAssigned`, `userAssigned`, `issued()` (audience, clientId,
 *   token, expiresOn per token), `setTokenLifetime(seconds)`,
 *   `inject(preset, options)` with presets serverError and identityNotFound,
 *   and `clearFaults()`
 */
async function startManagedIdentityFake({
  tokens,
  clock,
  systemAssigned = randomGuid(),
  userAssigned = [randomGuid()],
  tokenLifetimeSeconds = 24 * 60 * 60,
}) {
  let header = crypto.randomUUID();
  let lifetimeSeconds = tokenLifetimeSeconds;
  const issued = [];

  function tokenRequest(req, url, entry) {
    if (req.headers['x-identity-header'] !== header) {
      entry.rejected = 'header';
      return identityError(401, 'Unauthorized: the X-IDENTITY-HEADER is missing or not the current value.');
    }
    if (url.searchParams.get('api-version') !== API_VERSION) {
      entry.rejected = 'api-version';
      return identityError(400, `The api-version '${url.searchParams.get('api-version')}' is not supported; use ${API_VERSION}.`);
    }
    const resource = url.searchParams.get('resource');
    if (!resource) {
      entry.rejected = 'resource';
      return identityError(400, 'The request has no resource parameter.');
    }
    if (resource.endsWith('/.default')) {
      // A scope in place of a resource fails inside the platform.
      entry.rejected = 'scope-as-resource';
      return identityError(500, 'An unexpected error occured while fetching the AAD Token.');
    }
    const selectors = SELECTORS.filter((name) => url.searchParams.has(name));
    if (selectors.length > 1) {
      entry.rejected = 'selectors';
      return identityError(400, `Only one of ${SELECTORS.join(', ')} may be given.`);
    }
    if (selectors.length === 1 && selectors[0] !== 'client_id') {
      entry.rejected = 'selector';
      return identityError(400, `This fake selects identities by client_id only, not ${selectors[0]}.`);
    }

    const requested = url.searchParams.get('client_id');
    const clientId = requested === null ? systemAssigned : userAssigned.find((id) => id === requested.toLowerCase());
    if (!clientId) {
      entry.rejected = 'identity';
      return identityError(400, 'Unable to load the proper Managed Identity.');
    }
    if (!KNOWN_AUDIENCES.includes(resource)) {
      entry.rejected = 'audience';
      return identityError(400, `AADSTS500011: The resource principal named ${resource} was not found in the tenant.`);
    }

    const accessToken = tokens.issueToken(resource, lifetimeSeconds, clientId);
    const expiresOn = Math.floor(clock.now() / 1000) + lifetimeSeconds;
    issued.push({ audience: resource, clientId, token: accessToken, expiresOn });
    entry.audience = resource;
    entry.clientId = clientId;
    return jsonReply(200, {
      access_token: accessToken,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    });
  }

  async function handle({ req, url, entry }) {
    if (url.pathname !== TOKEN_PATH) {
      return identityError(404, `No such endpoint: ${url.pathname}`);
    }
    if (req.method !== 'GET') {
      return identityError(405, `The method ${req.method} is not allowed; use GET.`);
    }
    return tokenRequest(req, url, entry);
  }

  const presets = {
    serverError: () => ({ kind: 'reply', ...identityError(500, 'An unexpected error occured while fetching the AAD Token.') }),
    identityNotFound: () => ({ kind: 'reply', ...identityError(400, 'Unable to load the proper Managed Identity.') }),
  };
  const server = await startFakeServer({ name: 'managed-identity', tls: null, handle, presets });

  return {
    ...server,
    endpoint: `${server.baseUrl}${TOKEN_PATH}`,
    systemAssigned,
    userAssigned: userAssigned.slice(),
    header: () => header,
    rotateHeader() {
      header = crypto.randomUUID();
      return header;
    },
    issued: () => issued.slice(),
    setTokenLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startManagedIdentityFake, API_VERSION, TOKEN_PATH };
