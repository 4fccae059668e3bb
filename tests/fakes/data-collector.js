'use strict';

// Fake HTTP Data Collector API (legacy ingestion):
// POST /api/logs?api-version=2016-04-01 with a SharedKey signature. It checks
// the signature as the service does, types each field by the look of its
// value into a suffixed column (_s, _d, _t, _g, _b), and stores the rows in
// the shared workspace table that the query fake reads.

const crypto = require('node:crypto');
const { startFakeServer, randomGuid } = require('./server');
const { parseTicks, msToTicks } = require('./time');

// The service documents 30 MB; above about 30 MiB it closes the connection.
// The fake takes the stricter, decimal reading.
const MAX_POST_BYTES = 30 * 1000 * 1000;
// String values are trimmed to this many bytes ("32 KB").
const MAX_FIELD_BYTES = 32766;
const CLOCK_TOLERANCE_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const SIGNED_CONTENT_TYPE = 'application/json';
const LOG_TYPE = /^[A-Za-z0-9_]{1,100}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const GUID_WITHOUT_DASHES = /^[0-9a-fA-F]{32}$/;
// Properties the service drops from a record instead of storing them.
const RESERVED_PROPERTIES = new Set(['TimeGenerated', 'tenant', 'RawData']);
const RFC1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function collectorError(status, error, message) {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ Error: error, Message: message }) };
}

function fixedReply(status, error, message, headers = {}) {
  return { kind: 'reply', ...collectorError(status, error, message), headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

/** Parses `Mon, 04 Apr 2016 08:00:00 GMT` (English names only, weekday checked); epoch ms or null. */
function parseRfc1123(text) {
  const match = RFC1123.exec(String(text ?? ''));
  if (!match) {
    return null;
  }
  const [, day, date, month, year, hour, minute, second] = match;
  const ms = Date.UTC(+year, MONTHS.indexOf(month), +date, +hour, +minute, +second);
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== +date || DAYS[check.getUTCDay()] !== day) {
    return null;
  }
  return ms;
}

/** Computes the signature the service expects: base64 HMAC-SHA256 of the string to sign, keyed with the decoded key. */
function expectedSignature(keyBase64, byteLength, date) {
  const stringToSign = `POST\n${byteLength}\n${SIGNED_CONTENT_TYPE}\nx-ms-date:${date}\n/api/logs`;
  return crypto.createHmac('sha256', Buffer.from(keyBase64, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

function truncateUtf8(text, maxBytes) {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) {
    return text;
  }
  return bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * Returns the column a value lands in, by the look of the value as the
 * service judges it: {suffix, type, value} with datetimes as ticks, or null for a
 * null value, which the service leaves out.
 */
function typeValue(raw) {
  if (raw === null || raw === undefined) {
    return null;
  }
  if (typeof raw === 'boolean') {
    return { suffix: 'b', type: 'boolean', value: raw };
  }
  if (typeof raw === 'number') {
    return { suffix: 'd', type: 'real', value: raw };
  }
  if (typeof raw === 'string') {
    const ticks = parseTicks(raw);
    if (ticks !== null) {
      return { suffix: 't', type: 'datetime', value: ticks };
    }
    if (GUID.test(raw)) {
      return { suffix: 'g', type: 'string', value: raw };
    }
    if (GUID_WITHOUT_DASHES.test(raw)) {
      const dashed = `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`;
      return { suffix: 'g', type: 'string', value: dashed };
    }
    return { suffix: 's', type: 'string', value: raw };
  }
  // NOTE: the service flattens nested values into many columns. This fake
  // stores them as JSON text so that a test can still find them.
  return { suffix: 's', type: 'string', value: JSON.stringify(raw) };
}

const COLLECTOR_PRESETS = {
  throttle: ({ retryAfter } = {}) => fixedReply(429, 'TooManyRequests', 'The service received too much data; retry later.',
    retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  serverError: () => fixedReply(500, 'UnspecifiedError', 'The service encountered an internal error. Please retry the request.'),
  unavailable: () => fixedReply(503, 'ServiceUnavailable', 'The service currently is unavailable to receive requests. Please retry your request.'),
  forbidden: () => fixedReply(403, 'InvalidAuthorization', 'An invalid signature was specified in the Authorization header'),
};

/**
 * Starts the fake Data Collector API.
 *
 * @param {object} options
 * @param {object} options.tls certificate from createTestCertificates
 * @param {object} options.clock shared clock (createClock)
 * @param {object} options.workspace shared workspace (createWorkspace)
 * @param {string} options.workspaceId the customer id in `SharedKey <id>:<signature>`
 * @param {string} options.sharedKey the workspace key, base64
 * @param {boolean} [options.replaceOutOfRangeTimeGenerated] use the receive
 *   time when the time-generated-field value is more than 2 days old or more
 *   than 1 day ahead, as the service does (true by default)
 * @returns the server handle plus `posts()` (one entry per accepted post:
 *   logType, records, bytes, date, timeGeneratedField), `rejections()` (each
 *   refused post with its status, error and reason), `diagnostics()` (values
 *   trimmed, dropped or replaced), `inject(preset, options)` and `clearFaults()`.
 */
async function startDataCollectorFake({ tls, clock, workspace, workspaceId, sharedKey, replaceOutOfRangeTimeGenerated = true }) {
  const posts = [];
  const rejections = [];
  const diagnostics = [];

  function reject(entry, status, error, message) {
    rejections.push({ status, error, message, time: clock.now() });
    entry.error = `${error}: ${message}`;
    return collectorError(status, error, message);
  }

  function checkAuthorization(req, body, entry) {
    const header = String(req.headers.authorization ?? '');
    const match = /^SharedKey ([^:\s]+):(\S+)$/.exec(header);
    if (!match) {
      return reject(entry, 403, 'InvalidAuthorization', 'An invalid scheme was specified in the Authorization header');
    }
    if (match[1].toLowerCase() !== workspaceId.toLowerCase()) {
      return reject(entry, 403, 'InvalidAuthorization', `The customer id '${match[1]}' does not match this workspace`);
    }
    const date = req.headers['x-ms-date'];
    const dateMs = parseRfc1123(date);
    if (dateMs === null) {
      return reject(entry, 403, 'InvalidAuthorization', `The x-ms-date header '${date ?? ''}' is not an RFC 1123 date`);
    }
    if (Math.abs(dateMs - clock.now()) > CLOCK_TOLERANCE_MS) {
      return reject(entry, 403, 'InvalidAuthorization', 'The x-ms-date header is more than 15 minutes from the service time');
    }
    // NOTE: whether the service signs the Content-Type header it received or
    // always `application/json` is not documented. Both lead to 403 for a
    // client that sends `; charset=utf-8`, so the fake requires the exact
    // header and signs the fixed text.
    const contentType = req.headers['content-type'];
    const expected = expectedSignature(sharedKey, body.length, date);
    const sentBytes = Buffer.from(match[2]);
    const expectedBytes = Buffer.from(expected);
    if (contentType !== SIGNED_CONTENT_TYPE || sentBytes.length !== expectedBytes.length ||
      !crypto.timingSafeEqual(sentBytes, expectedBytes)) {
      entry.signature = 'mismatch';
      return reject(entry, 403, 'InvalidAuthorization', 'An invalid signature was specified in the Authorization header');
    }
    entry.signature = 'ok';
    return null;
  }

  /** Types one record into {columnName: value} and registers new columns in the table. */
  function typeRecord(table, record, context) {
    const values = {};
    for (const [name, raw] of Object.entries(record)) {
      if (RESERVED_PROPERTIES.has(name)) {
        diagnostics.push({ ...context, property: name, problem: 'reserved property, dropped' });
        continue;
      }
      let typed = typeValue(raw);
      if (typed === null) {
        continue;
      }
      if (typed.type === 'string' && Buffer.byteLength(typed.value, 'utf8') > MAX_FIELD_BYTES) {
        typed = { ...typed, value: truncateUtf8(typed.value, MAX_FIELD_BYTES) };
        diagnostics.push({ ...context, property: name, problem: `trimmed to ${MAX_FIELD_BYTES} bytes` });
      }
      const column = `${name}_${typed.suffix}`;
      if (!table.columns.some((existing) => existing.name === column)) {
        // A value that does not fit an existing column gets a sibling column.
        table.columns.push({ name: column, type: typed.type });
      }
      values[column] = typed.value;
    }
    return values;
  }

  function timeGenerated(record, field, ingestedTicks, context) {
    if (!field || field === 'TimeGenerated') {
      return ingestedTicks;
    }
    const ticks = typeof record[field] === 'string' ? parseTicks(record[field]) : null;
    if (ticks === null) {
      diagnostics.push({ ...context, property: field, problem: 'time-generated-field missing or not a date; receive time used' });
      return ingestedTicks;
    }
    if (replaceOutOfRangeTimeGenerated &&
      (ticks < ingestedTicks - msToTicks(2 * DAY_MS) || ticks > ingestedTicks + msToTicks(DAY_MS))) {
      diagnostics.push({ ...context, property: field, problem: 'out of range, replaced by the receive time' });
      return ingestedTicks;
    }
    return ticks;
  }

  async function handle({ req, url, body, entry }) {
    if (url.pathname !== '/api/logs') {
      return reject(entry, 404, 'NotFound', `The requested path ${url.pathname} does not exist.`);
    }
    if (req.method !== 'POST') {
      return reject(entry, 405, 'MethodNotAllowed', `The HTTP method ${req.method} is not supported.`);
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      return reject(entry, 400, 'MissingApiVersion', 'The API version was not specified.');
    }
    if (apiVersion !== '2016-04-01') {
      return reject(entry, 400, 'InvalidApiVersion', `The API version '${apiVersion}' is not recognized by the service.`);
    }
    if (body.length > MAX_POST_BYTES) {
      entry.tooLarge = body.length;
      return reject(entry, 404, 'NotFound', `The request of ${body.length} bytes is larger than ${MAX_POST_BYTES} bytes.`);
    }
    if (!req.headers['content-type']) {
      return reject(entry, 400, 'MissingContentType', 'The content type was not specified.');
    }
    if (!String(req.headers['content-type']).toLowerCase().startsWith('application/json')) {
      return reject(entry, 400, 'UnsupportedContentType', `The content type '${req.headers['content-type']}' is not supported.`);
    }
    const logType = req.headers['log-type'];
    if (!logType) {
      return reject(entry, 400, 'MissingLogType', 'The value cannot be null. Log-Type must be specified.');
    }
    if (!LOG_TYPE.test(logType)) {
      return reject(entry, 400, 'InvalidLogType', `The Log-Type '${logType}' may contain only letters, numbers and underscores, at most 100.`);
    }
    const rejection = checkAuthorization(req, body, entry);
    if (rejection) {
      return rejection;
    }

    let records;
    try {
      records = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(entry, 400, 'InvalidDataFormat', `The body is not valid JSON: ${error.message}`);
    }
    if (!Array.isArray(records)) {
      records = [records];
    }
    if (records.some((record) => !record || typeof record !== 'object' || Array.isArray(record))) {
      return reject(entry, 400, 'InvalidDataFormat', 'Every record must be a JSON object.');
    }

    const requestId = randomGuid();
    const ingestedAt = clock.now();
    const ingestedTicks = msToTicks(ingestedAt);
    const tableName = `${logType}_CL`;
    const table = workspace.createTable(tableName, [{ name: 'TimeGenerated', type: 'datetime' }]);
    const field = req.headers['time-generated-field'];
    const rows = records.map((record, index) => {
      const context = { requestId, index };
      return { TimeGenerated: timeGenerated(record, field, ingestedTicks, context), ...typeRecord(table, record, context) };
    });
    workspace.append(tableName, rows, { ingestedAt, requestId });
    posts.push({
      requestId,
      logType,
      records: records.length,
      bytes: body.length,
      date: req.headers['x-ms-date'],
      timeGeneratedField: field ?? null,
      ingestedAt,
    });
    entry.records = records.length;
    return { status: 200, headers: { 'x-ms-request-id': requestId }, body: '' };
  }

  const server = await startFakeServer({ name: 'dataCollector', tls, handle, presets: COLLECTOR_PRESETS });
  return {
    ...server,
    posts: () => posts.slice(),
    rejections: () => rejections.slice(),
    diagnostics: () => diagnostics.slice(),
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startDataCollectorFake, expectedSignature, typeValue, parseRfc1123, MAX_POST_BYTES, MAX_FIELD_BYTES };
