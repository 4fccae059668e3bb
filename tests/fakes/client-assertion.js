'use strict';

// Verification of signed client assertions (RFC 7523 JWTs) the way Microsoft
// Entra ID checks them for certificate credentials. The signature must verify
// with a certificate registered on the application, found by its `x5t`
// (RS256) or `x5t#S256` (PS256) thumbprint. The claims `aud`, `iss`, `sub`,
// `jti`, `nbf` and `exp` must match the request and the clock.
//
// AADSTS codes 700021, 700023, 700024 and 700027 are the ones Microsoft
// documents for these failures; 50027 (malformed JWT) and 5002738
// (unsupported algorithm) and all description texts are approximations.

const crypto = require('node:crypto');

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

// Entra ID tolerates a little clock skew on `nbf`; this fake allows one minute.
const NBF_SKEW_MS = 60 * 1000;

function thumbprints(certificatePem) {
  const certificate = new crypto.X509Certificate(certificatePem);
  return {
    certificate,
    x5t: crypto.createHash('sha1').update(certificate.raw).digest('base64url'),
    x5tS256: crypto.createHash('sha256').update(certificate.raw).digest('base64url'),
  };
}

function decodePart(text) {
  return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
}

/**
 * Creates a verifier.
 *
 * @param {object} options
 * @param {object} options.clock shared clock (createClock); `exp` and `nbf` are checked against it
 * @returns {{registerCertificate: Function, verify: Function, assertions: Function}}
 */
function createAssertionVerifier({ clock }) {
  const registered = [];
  const seenIds = new Set();
  const log = [];

  /** Registers a certificate (PEM) as a credential of `clientId`. */
  function registerCertificate(certificatePem, clientId) {
    registered.push({ clientId, ...thumbprints(certificatePem) });
  }

  /**
   * Checks the assertion fields of a token request form. Returns
   * `{ok: true, header, claims}` or `{ok: false, status, error, code,
   * description}` for an Entra error reply. Every call is logged, with the
   * raw assertion, for tests that check it independently.
   */
  function verify({ assertionType, assertion, clientId, tokenUrl }) {
    const result = check({ assertionType, assertion, clientId, tokenUrl });
    log.push({ assertion, ok: result.ok, code: result.code || null, header: result.header, claims: result.claims });
    return result;
  }

  function check({ assertionType, assertion, clientId, tokenUrl }) {
    const fail = (status, error, code, description, extra = {}) => ({ ok: false, status, error, code, description, ...extra });
    if (assertionType !== ASSERTION_TYPE) {
      return fail(400, 'invalid_request', 900144,
        `The request body must contain the following parameter: 'client_assertion_type' with the value ${ASSERTION_TYPE}.`);
    }
    const parts = String(assertion || '').split('.');
    if (parts.length !== 3) {
      return fail(401, 'invalid_client', 50027, 'Invalid JWT token. The token is not in JWS compact form.');
    }
    let header;
    let claims;
    try {
      header = decodePart(parts[0]);
      claims = decodePart(parts[1]);
    } catch {
      return fail(401, 'invalid_client', 50027, 'Invalid JWT token. The header or payload is not base64url JSON.');
    }

    let thumbprintName;
    if (header.alg === 'PS256') {
      thumbprintName = 'x5t#S256';
    } else if (header.alg === 'RS256') {
      thumbprintName = 'x5t';
    } else {
      return fail(401, 'invalid_client', 5002738,
        `Invalid JWT token. '${header.alg}' is not a supported signature algorithm.`, { header, claims });
    }
    const thumbprint = header[thumbprintName];
    const match = registered.find((entry) => entry.clientId === clientId &&
      (thumbprintName === 'x5t' ? entry.x5t : entry.x5tS256) === thumbprint);
    if (!match) {
      return fail(401, 'invalid_client', 700027,
        'The certificate with identifier used to sign the client assertion is not registered on application. ' +
          `[Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}']`, { header, claims });
    }

    const signature = Buffer.from(parts[2], 'base64url');
    const key = header.alg === 'PS256'
      ? { key: match.certificate.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { key: match.certificate.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING };
    if (!crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, signature)) {
      return fail(401, 'invalid_client', 700027, 'Client assertion failed signature validation.', { header, claims });
    }

    if (claims.aud !== tokenUrl) {
      return fail(401, 'invalid_client', 700023,
        `Client assertion audience claim does not match Realm issuer. Review the documentation at ` +
          `https://learn.microsoft.com/entra/identity-platform/certificate-credentials.`, { header, claims });
    }
    if (claims.iss !== clientId || claims.sub !== clientId) {
      return fail(401, 'invalid_client', 700021,
        "Client assertion application identifier doesn't match 'client_id' parameter.", { header, claims });
    }
    const now = clock.now();
    if (!Number.isInteger(claims.exp) || !Number.isInteger(claims.nbf) || claims.exp * 1000 <= now ||
        claims.nbf * 1000 > now + NBF_SKEW_MS || claims.nbf >= claims.exp) {
      return fail(401, 'invalid_client', 700024,
        `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, ` +
          `assertion valid from ${claims.nbf}, expiry time of assertion ${claims.exp}.`, { header, claims });
    }
    if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
      return fail(401, 'invalid_client', 50027, 'Invalid JWT token. The assertion has no jti claim.', { header, claims });
    }
    if (seenIds.has(claims.jti)) {
      return fail(401, 'invalid_client', 50027, `Invalid JWT token. The jti '${claims.jti}' was used before.`,
        { header, claims });
    }
    seenIds.add(claims.jti);
    return { ok: true, header, claims };
  }

  return { registerCertificate, verify, assertions: () => log.slice() };
}

module.exports = { createAssertionVerifier, ASSERTION_TYPE };
