'use strict';

// Fake Log Analytics query API: POST /v1/workspaces/{id}/query (and the
// /workspaces/{id}/query shape that @azure/monitor-query-logs sends when its
// endpoint option is a bare host), evaluated over the shared workspace with
// the KQL subset in kql.js.

const { startFakeServer, jsonReply, randomGuid } = require('./server');
const { parseTicks, parseDurationMs, msToTicks } = require('./time');
const { parseQuery, evaluatePipeline, toResponseTable, KqlError } = require('./kql');
const cases = require('./cases');

const QUERY_PATH = /^(?:\/v1)?\/workspaces\/([^/]+)\/query$/;
const QUERY_AUDIENCE = 'https://api.loganalytics.io';

/** The handler's watermark query for a table and look-back, as the handler contract writes it. */
function watermarkQuery(table = 'EmailEvents_CL', lookback = '91d') {
  return `union isfuzzy=true (datatable(Received_t:datetime)[]), (${table} | where TimeGenerated > ago(${lookback}) ` +
    '| project Received_t) | summarize Watermark = max(Received_t)';
}

function queryError(status, code, message, extra = {}) {
  return jsonReply(status, { error: { message, code, correlationId: randomGuid(), ...extra } });
}

/** Parses a Query API timespan: an ISO 8601 duration ending now, or `start/end`. */
function parseTimespan(text, nowTicks) {
  if (text === undefined || text === null || text === '') {
    return null;
  }
  const parts = String(text).split('/');
  if (parts.length === 1) {
    const ms = parseDurationMs(parts[0]);
    return ms === null ? undefined : { startTicks: nowTicks - msToTicks(ms), endTicks: nowTicks };
  }
  if (parts.length !== 2) {
    return undefined;
  }
  const [first, second] = parts;
  const firstTicks = parseTicks(first);
  const secondTicks = parseTicks(second);
  const firstMs = parseDurationMs(first);
  const secondMs = parseDurationMs(second);
  if (firstTicks !== null && secondTicks !== null) {
    return { startTicks: firstTicks, endTicks: secondTicks };
  }
  if (firstTicks !== null && secondMs !== null) {
    return { startTicks: firstTicks, endTicks: firstTicks + msToTicks(secondMs) };
  }
  if (firstMs !== null && secondTicks !== null) {
    return { startTicks: secondTicks - msToTicks(firstMs), endTicks: secondTicks };
  }
  return undefined;
}

const QUERY_PRESETS = {
  throttle: ({ retryAfter = 2 } = {}) => ({
    kind: 'reply',
    status: 429,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfter) },
    body: JSON.stringify({ error: { message: 'Too many requests. Please retry later.', code: 'ThrottledError' } }),
  }),
  serverError: () => ({
    kind: 'reply',
    status: 500,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { message: 'An internal error occurred.', code: 'InternalServerError' } }),
  }),
  gatewayTimeout: () => ({
    kind: 'reply',
    status: 504,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { message: 'The query did not complete in the allowed time.', code: 'GatewayTimeout' } }),
  }),
  unavailable: () => ({
    kind: 'reply',
    status: 503,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { message: 'The service is unavailable.', code: 'ServiceUnavailableError' } }),
  }),
  /**
   * 200 with a PartialError next to the result. `watermark` sets the single
   * cell returned (an ISO string or null).
   */
  partialError: ({ watermark = '2026-11-20T23:59:58.123Z', column = 'Watermark' } = {}) => ({
    kind: 'reply',
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(cases.queryPartialError([
      { name: 'PrimaryResult', columns: [{ name: column, type: 'datetime' }], rows: [[watermark]] },
    ])),
  }),
  /** 204 with no body, as the service replies for a workspace that contains no data at all. */
  emptyWorkspace: () => ({ kind: 'reply', status: 204, headers: {}, body: '' }),
};

/**
 * Starts the fake query API over `workspace` (createWorkspace).
 *
 * @returns the server handle plus `queries()` (text, timespan and outcome of
 *   each query) and `inject(preset, options)`.
 */
async function startQueryFake({ tls, tokens, clock, workspace, workspaceId }) {
  const queries = [];

  function resolveTable(name) {
    const table = workspace.table(name);
    if (!table) {
      return null;
    }
    return { columns: table.columns, rows: workspace.queryableRecords(name).map((record) => record.values) };
  }

  function runQuery(text, timespanText, entry) {
    const record = { text, timespan: timespanText ?? null, status: null, error: null };
    queries.push(record);
    entry.query = text;
    const nowTicks = clock.nowTicks();
    const timespan = parseTimespan(timespanText, nowTicks);
    if (timespan === undefined) {
      record.status = 400;
      record.error = 'InvalidTimespan';
      return queryError(400, 'BadArgumentError', `The timespan '${timespanText}' is not valid.`);
    }
    try {
      const pipeline = parseQuery(text);
      const result = evaluatePipeline(pipeline, { resolveTable, nowTicks, timespan });
      const table = toResponseTable(result);
      record.status = 200;
      record.rows = table.rows;
      return jsonReply(200, { tables: [table] });
    } catch (error) {
      if (!(error instanceof KqlError)) {
        throw error;
      }
      record.status = error.status;
      record.error = error.message;
      return jsonReply(error.status, error.body);
    }
  }

  async function handle({ req, url, body, entry }) {
    const match = QUERY_PATH.exec(url.pathname);
    if (!match) {
      return queryError(404, 'PathNotFoundError', `The requested path does not exist: ${url.pathname}`);
    }

    const auth = tokens.verifyBearer(req.headers.authorization, QUERY_AUDIENCE);
    entry.auth = auth.ok ? 'ok' : auth.reason;
    if (!auth.ok) {
      if (auth.reason === 'audience') {
        return queryError(403, 'InvalidAuthenticationTokenAudience',
          `The provided authentication token has an audience other than ${QUERY_AUDIENCE}.`);
      }
      return queryError(401, 'AuthenticationFailed', `Authentication failed: the bearer token is ${auth.reason}.`);
    }
    if (decodeURIComponent(match[1]).toLowerCase() !== workspaceId.toLowerCase()) {
      return queryError(404, 'WorkspaceNotFoundError', `The workspace ${match[1]} could not be found.`);
    }

    if (req.method === 'GET') {
      return runQuery(url.searchParams.get('query'), url.searchParams.get('timespan'), entry);
    }
    if (req.method !== 'POST') {
      return queryError(405, 'MethodNotAllowed', `The HTTP method ${req.method} is not supported.`);
    }
    if (body.length === 0) {
      // The real service replies to a POST without a JSON body with 200 and no body.
      return { status: 200, headers: {}, body: '' };
    }

    const contentType = String(req.headers['content-type'] || '').toLowerCase();
    if (!contentType.startsWith('application/json')) {
      return queryError(415, 'UnsupportedMediaType', `The content type '${contentType}' is not supported; send application/json.`);
    }
    let request;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      return queryError(400, 'BadArgumentError', 'The request body is not valid JSON.');
    }
    if (!request || typeof request.query !== 'string') {
      return queryError(400, 'BadArgumentError', "The request body has no 'query' string.");
    }
    const timespan = request.timespan ?? url.searchParams.get('timespan');
    return runQuery(request.query, timespan, entry);
  }

  const server = await startFakeServer({ name: 'query', tls, handle, presets: QUERY_PRESETS });
  return {
    ...server,
    queries: () => queries.slice(),
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startQueryFake, watermarkQuery, parseTimespan };
