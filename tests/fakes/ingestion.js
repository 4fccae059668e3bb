'use strict';

// Fake Azure Monitor Logs Ingestion API:
// POST /dataCollectionRules/{dcr immutable id}/streams/{stream}?api-version=2023-01-01
// Accepted rows land in the shared workspace table, typed by the table schema.

const zlib = require('node:zlib');
const { startFakeServer, jsonReply, randomGuid } = require('./server');
const { parseTicks, msToTicks } = require('./time');
const cases = require('./cases');

const INGESTION_AUDIENCE = 'https://monitor.azure.com';
const MAX_REQUEST_BYTES = 1048576;
// Gunzip stops here so that a hostile body cannot exhaust memory.
const MAX_DECOMPRESSED_BYTES = 64 * MAX_REQUEST_BYTES;
const MAX_FIELD_BYTES = 64 * 1024;
const API_VERSIONS = new Set(['2023-01-01', '2021-11-01-preview']);
const DAY_MS = 24 * 60 * 60 * 1000;

function ingestionError(status, code, message, headers = {}) {
  return jsonReply(status, { error: { code, message } }, headers);
}

function fixedReply(status, body, headers = {}) {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function truncateUtf8(text, maxBytes) {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) {
    return text;
  }
  // Decoding a cut UTF-8 sequence yields U+FFFD at the end; drop it.
  return bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * Converts one JSON value to a column value. Returns {value} or {value: null,
 * problem} when the value does not fit the column type.
 */
function convertCell(column, raw) {
  if (raw === null || raw === undefined) {
    return { value: null };
  }
  switch (column.type) {
    case 'datetime': {
      const ticks = typeof raw === 'string' ? parseTicks(raw) : null;
      return ticks === null ? { value: null, problem: `not an ISO 8601 datetime: ${JSON.stringify(raw)}` } : { value: ticks };
    }
    case 'real':
    case 'long':
    case 'int': {
      if (typeof raw === 'number' && Number.isFinite(raw)) {
        return { value: raw };
      }
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) {
        return { value: Number(raw), problem: `number sent as a string: ${JSON.stringify(raw)}` };
      }
      return { value: null, problem: `not a number: ${JSON.stringify(raw)}` };
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { value: null, problem: `not a boolean: ${JSON.stringify(raw)}` };
    case 'dynamic':
      return { value: raw };
    default: {
      const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
      const value = truncateUtf8(text, MAX_FIELD_BYTES);
      if (typeof raw !== 'string') {
        return { value, problem: `${typeof raw} sent for a string column` };
      }
      return value === text ? { value } : { value, problem: `value longer than ${MAX_FIELD_BYTES} bytes was truncated` };
    }
  }
}

const INGESTION_PRESETS = {
  throttle: ({ retryAfter = 2 } = {}) => fixedReply(429,
    { error: { code: 'TooManyRequests', message: 'Too many requests for this data collection rule; retry later.' } },
    { 'retry-after': String(retryAfter) }),
  unavailable: ({ retryAfter } = {}) => fixedReply(503,
    { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } },
    retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  serverError: () => fixedReply(500, { error: { code: 'InternalServerError', message: 'An internal error occurred.' } }),
  tooLarge: ({ length = 1068792 } = {}) => fixedReply(413, cases.ingestionTooLarge(length)),
};

/**
 * Starts the fake Logs Ingestion API.
 *
 * @param {object} options
 * @param {string} options.dcrImmutableId accepted DCR id (`dcr-` + 32 hex)
 * @param {string} options.stream accepted stream name, e.g. Custom-EmailEvents_CL
 * @param {string} options.table destination table, e.g. EmailEvents_CL
 * @param {object[]} options.columns destination columns [{name, type}]
 * @param {boolean} [options.replaceOutOfRangeTimeGenerated] store the receive
 *   time when TimeGenerated is more than 2 days old or more than 1 day ahead,
 *   as the service does (true by default)
 * @returns the server handle plus `batches()` (one entry per accepted request:
 *   records, sent and decompressed bytes, gzip flag), `diagnostics()` (values
 *   the service would coerce, drop or truncate) and `inject(preset, options)`;
 *   presets: throttle, unavailable, serverError, forbidden, tooLarge, reset,
 *   delay, truncate, status.
 */
async function startIngestionFake({
  tls,
  tokens,
  clock,
  workspace,
  dcrImmutableId,
  stream,
  table,
  columns,
  replaceOutOfRangeTimeGenerated = true,
}) {
  const batches = [];
  const diagnostics = [];

  function normalizeRecords(records, requestId, ingestedAtMs) {
    const ingestedTicks = msToTicks(ingestedAtMs);
    const rows = [];
    for (let index = 0; index < records.length; index += 1) {
      const record = records[index];
      const values = {};
      for (const key of Object.keys(record)) {
        if (!columns.some((column) => column.name === key)) {
          diagnostics.push({ requestId, index, column: key, problem: 'unknown column, dropped' });
        }
      }
      for (const column of columns) {
        const converted = convertCell(column, record[column.name]);
        if (converted.problem) {
          diagnostics.push({ requestId, index, column: column.name, problem: converted.problem });
        }
        if (converted.value !== null) {
          values[column.name] = converted.value;
        }
      }
      const generated = values.TimeGenerated;
      if (replaceOutOfRangeTimeGenerated && generated !== undefined &&
        (generated < ingestedTicks - msToTicks(2 * DAY_MS) || generated > ingestedTicks + msToTicks(DAY_MS))) {
        values.TimeGenerated = ingestedTicks;
        diagnostics.push({ requestId, index, column: 'TimeGenerated', problem: 'out of range, replaced by the receive time' });
      }
      rows.push(values);
    }
    return rows;
  }

  async function handle({ req, url, body, entry }) {
    const match = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      return ingestionError(404, 'NotFound', `The requested path does not exist: ${url.pathname}`);
    }
    if (req.method !== 'POST') {
      return ingestionError(405, 'MethodNotAllowed', `The HTTP method ${req.method} is not supported.`);
    }
    const auth = tokens.verifyBearer(req.headers.authorization, INGESTION_AUDIENCE);
    entry.auth = auth.ok ? 'ok' : auth.reason;
    if (!auth.ok) {
      return ingestionError(401, 'InvalidToken',
        `The bearer token is ${auth.reason}; a token for the audience ${INGESTION_AUDIENCE} is required.`,
        { 'www-authenticate': 'Bearer' });
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      return ingestionError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required.");
    }
    if (!API_VERSIONS.has(apiVersion)) {
      return ingestionError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. Use 2023-01-01.`);
    }
    const dcr = decodeURIComponent(match[1]);
    const streamName = decodeURIComponent(match[2]);
    if (dcr !== dcrImmutableId) {
      return ingestionError(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
    }
    if (streamName !== stream) {
      return ingestionError(404, 'InvalidStream',
        `Stream '${streamName}' is not declared in data collection rule '${dcr}'.`);
    }
    if (body.length > MAX_REQUEST_BYTES) {
      entry.tooLarge = body.length;
      return jsonReply(413, cases.ingestionTooLarge(body.length));
    }

    let payload = body;
    const encoding = String(req.headers['content-encoding'] || '').toLowerCase();
    if (encoding === 'gzip') {
      try {
        payload = zlib.gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
      } catch (error) {
        return ingestionError(400, 'InvalidContentEncoding', `The gzip body could not be decompressed: ${error.message}`);
      }
    } else if (encoding && encoding !== 'identity') {
      return ingestionError(400, 'InvalidContentEncoding', `Content-Encoding '${encoding}' is not supported; use gzip.`);
    }
    entry.decodedBodySize = payload.length;
    if (payload.length > MAX_REQUEST_BYTES) {
      entry.tooLarge = payload.length;
      return jsonReply(413, cases.ingestionTooLarge(payload.length));
    }

    const contentType = String(req.headers['content-type'] || '').toLowerCase();
    if (!contentType.startsWith('application/json')) {
      return ingestionError(415, 'UnsupportedMediaType', `The content type '${contentType}' is not supported; send application/json.`);
    }
    let records;
    try {
      records = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return ingestionError(400, 'InvalidPayload', `The body is not valid JSON: ${error.message}`);
    }
    if (!Array.isArray(records)) {
      return ingestionError(400, 'InvalidPayload', 'The body must be a JSON array of records.');
    }
    const notObject = records.findIndex((record) => !record || typeof record !== 'object' || Array.isArray(record));
    if (notObject >= 0) {
      return ingestionError(400, 'InvalidPayload', `Record ${notObject} is not a JSON object.`);
    }
    // NOTE: the service's reply to a record without TimeGenerated is not
    // documented; this fake rejects the whole request so that such a bug is
    // visible.
    const missingTime = records.findIndex((record) => record.TimeGenerated === undefined || record.TimeGenerated === null);
    if (missingTime >= 0) {
      return ingestionError(400, 'InvalidPayload', `Record ${missingTime} has no TimeGenerated value.`);
    }

    const requestId = req.headers['x-ms-client-request-id'] || randomGuid();
    const ingestedAt = clock.now();
    const rows = normalizeRecords(records, requestId, ingestedAt);
    workspace.createTable(table, columns);
    workspace.append(table, rows, { ingestedAt, requestId });
    batches.push({
      requestId,
      records: records.length,
      sentBytes: body.length,
      decodedBytes: payload.length,
      gzip: encoding === 'gzip',
      ingestedAt,
    });
    entry.records = records.length;
    return { status: 204, headers: { 'x-ms-request-id': requestId }, body: '' };
  }

  const presets = {
    ...INGESTION_PRESETS,
    forbidden: () => fixedReply(403, cases.ingestionForbidden(dcrImmutableId)),
  };
  const server = await startFakeServer({ name: 'ingestion', tls, handle, presets });
  return {
    ...server,
    batches: () => batches.slice(),
    diagnostics: () => diagnostics.slice(),
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startIngestionFake, MAX_REQUEST_BYTES };
