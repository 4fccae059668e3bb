'use strict';

// Fake Microsoft Graph v1.0 message trace API:
// GET /v1.0/admin/exchange/tracing/messageTraces with the documented filter,
// paging, visibility rules and per-tenant throttling.

const { startFakeServer, randomGuid } = require('./server');
const { parseTicks, formatTicks, msToTicks } = require('./time');
const cases = require('./cases');

const MESSAGE_TRACES_PATH = '/v1.0/admin/exchange/tracing/messageTraces';
const GRAPH_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const DAY_MS = 24 * 60 * 60 * 1000;
const WHOLE_SECOND_LITERAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const GRAPH_FIELDS = [
  'id', 'senderAddress', 'recipientAddress', 'messageId', 'receivedDateTime',
  'subject', 'size', 'fromIP', 'toIP', 'status',
];
// Query options Graph accepts on this resource; $select, $orderby and $count
// are accepted and ignored by the real service.
const KNOWN_OPTIONS = new Set(['$filter', '$top', '$skiptoken', '$select', '$orderby', '$count']);

class GraphRequestError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function badRequest(message) {
  return new GraphRequestError(400, 'BadRequest', message);
}

/** Precomputes ticks and the status history of one source row. */
function indexRow(row, sequence) {
  const receivedTicks = parseTicks(row.receivedDateTime);
  if (receivedTicks === null) {
    throw new Error(`source row ${row.id} has an invalid receivedDateTime '${row.receivedDateTime}'`);
  }
  const availableAtMs = row.availableAt ? Date.parse(row.availableAt) : -Infinity;
  const history = (row.statusHistory || [])
    .map((change) => ({ atMs: Date.parse(change.at), status: change.status }))
    .sort((a, b) => a.atMs - b.atMs);
  return { row, receivedTicks, availableAtMs, history, sequence };
}

/** Returns the row as Graph lists it at `nowMs`, or null while it is not yet available. */
function viewAt(indexed, nowMs) {
  if (indexed.availableAtMs > nowMs) {
    return null;
  }
  let status = indexed.row.status;
  if (indexed.history.length > 0) {
    status = indexed.history[0].status;
    for (const change of indexed.history) {
      if (change.atMs <= nowMs) {
        status = change.status;
      }
    }
  }
  const view = {};
  for (const field of GRAPH_FIELDS) {
    view[field] = field === 'status' ? status : indexed.row[field];
  }
  return view;
}

/** Newest first, then recipient and id so that the order is total and stable across pages. */
function compareRows(a, b) {
  if (a.receivedTicks !== b.receivedTicks) {
    return a.receivedTicks > b.receivedTicks ? -1 : 1;
  }
  const byRecipient = compareText(a.row.recipientAddress, b.row.recipientAddress);
  if (byRecipient !== 0) {
    return byRecipient;
  }
  const byId = compareText(a.row.id, b.row.id);
  return byId !== 0 ? byId : a.sequence - b.sequence;
}

function compareText(a, b) {
  const left = String(a ?? '').toLowerCase();
  const right = String(b ?? '').toLowerCase();
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

/** Position of a resume cursor relative to a row, in page order. */
function isAfterCursor(indexed, cursor) {
  if (indexed.receivedTicks !== cursor.ticks) {
    return indexed.receivedTicks < cursor.ticks;
  }
  const byRecipient = compareText(indexed.row.recipientAddress, cursor.recipient);
  if (byRecipient !== 0) {
    return byRecipient > 0;
  }
  return compareText(indexed.row.id, cursor.messageTraceId) > 0;
}

/**
 * Parses `receivedDateTime ge X and receivedDateTime le Y` (either order),
 * both literals `YYYY-MM-DDThh:mm:ssZ`.
 */
function parseFilter(filter) {
  const expected =
    "the filter must be 'receivedDateTime ge YYYY-MM-DDThh:mm:ssZ and receivedDateTime le YYYY-MM-DDThh:mm:ssZ'";
  if (filter === undefined || filter === null || filter.trim() === '') {
    throw badRequest(`Invalid filter clause: $filter is missing; ${expected}.`);
  }
  const clauses = filter.trim().split(/\s+and\s+/i);
  if (clauses.length !== 2) {
    throw badRequest(`Invalid filter clause '${filter}': ${expected}.`);
  }
  const bounds = {};
  for (const clause of clauses) {
    const match = /^receivedDateTime\s+(ge|le)\s+(\S+)$/i.exec(clause.trim());
    if (!match) {
      throw badRequest(`Invalid filter clause '${filter}': ${expected}.`);
    }
    const operator = match[1].toLowerCase();
    const literal = match[2];
    if (bounds[operator]) {
      throw badRequest(`Invalid filter clause '${filter}': ${expected}.`);
    }
    if (!WHOLE_SECOND_LITERAL.test(literal) || parseTicks(literal) === null) {
      throw badRequest(
        `Invalid filter clause '${filter}': '${literal}' is not a date time in the form YYYY-MM-DDThh:mm:ssZ.`,
      );
    }
    bounds[operator] = literal;
  }
  if (!bounds.ge || !bounds.le) {
    throw badRequest(`Invalid filter clause '${filter}': ${expected}.`);
  }
  return {
    startText: bounds.ge,
    endText: bounds.le,
    startTicks: parseTicks(bounds.ge),
    endTicks: parseTicks(bounds.le),
  };
}

function encodeSkiptoken(fields) {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64');
}

/** Decodes a `$skiptoken`; spaces are turned back into `+` in case a client decoded them. */
function decodeSkiptoken(text) {
  let decoded;
  try {
    decoded = JSON.parse(Buffer.from(text.replace(/ /g, '+'), 'base64').toString('utf8'));
  } catch {
    throw badRequest('Invalid $skiptoken: it is not base64-encoded JSON.');
  }
  if (!decoded || typeof decoded !== 'object') {
    throw badRequest('Invalid $skiptoken: it is not base64-encoded JSON.');
  }
  for (const field of ['StartDate', 'EndDate']) {
    const value = decoded[field];
    if (typeof value !== 'string' || parseTicks(value) === null) {
      // The real service rejects quoted dates this way on every retry.
      throw new GraphRequestError(400, 'BadRequest', 'poisoned skiptoken', cases.GRAPH_400_POISONED_SKIPTOKEN);
    }
  }
  const recipient = decoded.StartingRecipientAddress;
  if (typeof recipient !== 'string' || !/^[^\s"@]+@[^\s"@]+$/.test(recipient)) {
    throw badRequest('|System.ArgumentException|Invalid starting recipient address');
  }
  return {
    ticks: parseTicks(decoded.EndDate),
    recipient,
    messageTraceId: String(decoded.StartingMessageTraceId ?? ''),
  };
}

function graphError(status, code, message, requestId, extraHeaders = {}) {
  return {
    status,
    headers: { 'content-type': GRAPH_CONTENT_TYPE, 'request-id': requestId, ...extraHeaders },
    body: JSON.stringify({
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    }),
  };
}

const AUTH_MESSAGES = {
  missing: ['InvalidAuthenticationToken', 'Access token is empty.'],
  malformed: ['InvalidAuthenticationToken', 'IDX14100: JWT is not well formed.'],
  signature: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid signature.'],
  expired: ['InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'],
  audience: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  tenant: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid tenant.'],
};

function fixedReply(status, body, headers = {}) {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': GRAPH_CONTENT_TYPE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

const GRAPH_PRESETS = {
  throttle: ({ retryAfter = 2 } = {}) =>
    fixedReply(429, {
      error: {
        code: 'TooManyRequests',
        message: 'Your recent queries have surpassed the permitted limit, please try again later.',
      },
    }, { 'retry-after': String(retryAfter) }),
  serverError: () =>
    fixedReply(500, { error: { code: 'InternalServerError', message: 'An internal server error occurred.' } }),
  unavailable: ({ retryAfter } = {}) =>
    fixedReply(
      503,
      { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' } },
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    ),
  gatewayTimeout: () =>
    fixedReply(504, { error: { code: 'GatewayTimeout', message: 'The gateway did not receive a response in time.' } }),
  htmlPage: () => ({ kind: 'reply', status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: cases.SIGN_IN_HTML }),
  truncatedJson: ({ keepBytes } = {}) => ({ kind: 'truncate', keepBytes, framing: 'complete' }),
  noServicePrincipal: () => fixedReply(401, cases.GRAPH_401_NO_SERVICE_PRINCIPAL),
};

/**
 * Starts the fake Graph message trace API.
 *
 * @param {object} options
 * @param {object} options.tls certificate from createTestCertificates
 * @param {object} options.tokens the token fake (for verifyBearer)
 * @param {string} options.tenantId tenant whose tokens are accepted
 * @param {object} options.clock shared clock (createClock)
 * @param {object[]} [options.rows] source rows (generateTenant rows)
 * @param {number} [options.throttleLimit] requests per window and tenant, 100 by default
 * @param {number} [options.throttleWindowMs] rolling window, 5 minutes by default
 * @param {number} [options.maxWindowDays] longest filter range, 10 by default
 * @param {number} [options.maxLookbackDays] oldest start, 90 days by default
 * @param {number} [options.clockSkewMs] how far past now the end may be, 5 s by default
 * @param {boolean} [options.foreignNextLinks] point next links at https://127.0.0.2:<port>
 * @param {number} [options.serverPageSize] most rows per page whatever $top asks, as
 *   OData server-driven paging allows; unlimited by default
 */
async function startGraphFake({
  tls,
  tokens,
  tenantId,
  clock,
  rows = [],
  throttleLimit = 100,
  throttleWindowMs = 5 * 60 * 1000,
  maxWindowDays = 10,
  maxLookbackDays = 90,
  clockSkewMs = 5000,
  defaultTop = 1000,
  maxTop = 5000,
  foreignNextLinks = false,
  serverPageSize = Infinity,
}) {
  let indexed = [];
  let sequence = 0;
  let useForeignLinks = foreignNextLinks;
  let poisonedLinksLeft = 0;
  let poisonVariant = 'quotedDates';
  const requestTimes = new Map();
  let baseUrl = '';
  let port = 0;

  function setRows(newRows) {
    sequence = 0;
    indexed = newRows.map((row) => indexRow(row, sequence++));
  }

  function addRows(newRows) {
    for (const row of newRows) {
      indexed.push(indexRow(row, sequence++));
    }
  }

  /** Records a request against the tenant's quota; returns seconds to wait when over it. */
  function admit(tenant) {
    const now = clock.now();
    const times = (requestTimes.get(tenant) || []).filter((time) => time > now - throttleWindowMs);
    requestTimes.set(tenant, times);
    if (times.length >= throttleLimit) {
      return Math.max(1, Math.ceil((times[0] + throttleWindowMs - now) / 1000));
    }
    times.push(now);
    return 0;
  }

  function parseTop(value) {
    if (value === undefined) {
      return defaultTop;
    }
    if (!/^\d+$/.test(value) || +value < 1 || +value > maxTop) {
      throw badRequest(`Invalid value '${value}' for $top: it must be an integer from 1 to ${maxTop}.`);
    }
    return +value;
  }

  function checkWindow(filter) {
    const nowTicks = clock.nowTicks();
    if (filter.startTicks > filter.endTicks) {
      throw badRequest(`Invalid filter clause: the start ${filter.startText} is after the end ${filter.endText}.`);
    }
    if (filter.endTicks - filter.startTicks > msToTicks(maxWindowDays * DAY_MS)) {
      throw badRequest(`The date range from ${filter.startText} to ${filter.endText} exceeds ${maxWindowDays} days.`);
    }
    if (filter.startTicks < nowTicks - msToTicks(maxLookbackDays * DAY_MS)) {
      throw badRequest(`The start date ${filter.startText} is older than ${maxLookbackDays} days.`);
    }
    if (filter.endTicks > nowTicks + msToTicks(clockSkewMs)) {
      throw badRequest(`The end date ${filter.endText} is later than the current time.`);
    }
  }

  function nextLinkFor(filter, top, lastRow) {
    let token;
    if (poisonedLinksLeft > 0) {
      poisonedLinksLeft -= 1;
      token = poisonVariant === 'recipient'
        ? {
          StartDate: filter.startText,
          EndDate: formatTicks(lastRow.receivedTicks, { fractionDigits: 7 }),
          StartingRecipientAddress: '',
          ResultSize: String(top),
        }
        : {
          StartDate: `"${formatTicks(filter.startTicks, { fractionDigits: 7 })}"`,
          EndDate: `"${formatTicks(lastRow.receivedTicks, { fractionDigits: 7 })}"`,
          StartingRecipientAddress: `"${lastRow.row.recipientAddress}"`,
          ResultSize: String(top),
        };
    } else {
      token = {
        StartDate: filter.startText,
        EndDate: formatTicks(lastRow.receivedTicks, { fractionDigits: 7 }),
        StartingRecipientAddress: lastRow.row.recipientAddress,
        ResultSize: String(top),
        // Not in the real token: it makes resuming exact when two messages
        // share a received time and a recipient.
        StartingMessageTraceId: lastRow.row.id,
      };
    }
    const host = useForeignLinks ? `https://127.0.0.2:${port}` : baseUrl;
    const filterText = `receivedDateTime+ge+${filter.startText}+and+receivedDateTime+le+${filter.endText}`;
    return `${host}${MESSAGE_TRACES_PATH}?$filter=${filterText}&$top=${top}` +
      `&$skiptoken=${encodeURIComponent(encodeSkiptoken(token))}`;
  }

  function listMessageTraces(url, entry) {
    for (const key of url.searchParams.keys()) {
      if (!KNOWN_OPTIONS.has(key)) {
        throw badRequest(`Query option '${key}' is not allowed. Supported options: $filter, $top, $skiptoken.`);
      }
    }
    const filter = parseFilter(url.searchParams.get('$filter') ?? undefined);
    const top = parseTop(url.searchParams.get('$top') ?? undefined);
    checkWindow(filter);
    const skiptoken = url.searchParams.get('$skiptoken');
    const cursor = skiptoken === null ? null : decodeSkiptoken(skiptoken);

    const nowMs = clock.now();
    const matching = indexed
      .filter((row) => row.receivedTicks >= filter.startTicks && row.receivedTicks <= filter.endTicks)
      .filter((row) => row.availableAtMs <= nowMs)
      .filter((row) => cursor === null || isAfterCursor(row, cursor))
      .sort(compareRows);
    const page = matching.slice(0, Math.min(top, serverPageSize));
    entry.rowsReturned = page.length;

    const body = {
      '@odata.context': `${baseUrl}/v1.0/$metadata#admin/exchange/tracing/messageTraces`,
      value: page.map((row) => viewAt(row, nowMs)),
    };
    if (matching.length > page.length) {
      body['@odata.nextLink'] = nextLinkFor(filter, top, page[page.length - 1]);
      entry.nextLink = true;
    }
    return body;
  }

  async function handle({ req, url, entry }) {
    const requestId = req.headers['client-request-id'] || randomGuid();
    if (url.pathname !== MESSAGE_TRACES_PATH) {
      return graphError(400, 'BadRequest', `Resource not found for the segment '${url.pathname.split('/').pop()}'.`, requestId);
    }
    if (req.method !== 'GET') {
      return graphError(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed on this resource.`, requestId);
    }
    const auth = tokens.verifyBearer(req.headers.authorization, 'https://graph.microsoft.com');
    entry.auth = auth.ok ? 'ok' : auth.reason;
    if (!auth.ok) {
      const [code, message] = AUTH_MESSAGES[auth.reason];
      return graphError(401, code, message, requestId, { 'www-authenticate': 'Bearer realm=""' });
    }
    const waitSeconds = admit(auth.claims.tid);
    if (waitSeconds > 0) {
      entry.throttled = true;
      const reply = GRAPH_PRESETS.throttle({ retryAfter: waitSeconds });
      return { ...reply, headers: { ...reply.headers, 'request-id': requestId } };
    }
    try {
      const body = listMessageTraces(url, entry);
      return {
        status: 200,
        headers: { 'content-type': GRAPH_CONTENT_TYPE, 'request-id': requestId, 'client-request-id': requestId },
        body: JSON.stringify(body),
      };
    } catch (error) {
      if (!(error instanceof GraphRequestError)) {
        throw error;
      }
      entry.error = error.message;
      if (error.body) {
        return { status: error.status, headers: { 'content-type': GRAPH_CONTENT_TYPE }, body: JSON.stringify(error.body) };
      }
      return graphError(error.status, error.code, error.message, requestId);
    }
  }

  setRows(rows);
  const server = await startFakeServer({ name: 'graph', tls, handle, presets: GRAPH_PRESETS });
  baseUrl = server.baseUrl;
  port = server.port;

  return {
    ...server,
    setRows,
    addRows,
    sourceRows: () => indexed.map((row) => row.row),
    /** Rows as Graph would list them now for an inclusive range, newest first. */
    visibleRows(startIso, endIso) {
      const start = parseTicks(startIso);
      const end = parseTicks(endIso);
      const nowMs = clock.now();
      return indexed
        .filter((row) => row.receivedTicks >= start && row.receivedTicks <= end && row.availableAtMs <= nowMs)
        .sort(compareRows)
        .map((row) => viewAt(row, nowMs));
    },
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
    /** Makes the next `times` next links poisoned: 'quotedDates' (default) or 'recipient'. */
    poisonNextLinks({ times = 1, variant = 'quotedDates' } = {}) {
      poisonedLinksLeft = times;
      poisonVariant = variant;
    },
    setForeignNextLinks(enabled) {
      useForeignLinks = Boolean(enabled);
    },
    /** Uses up `count` requests of a tenant's quota, as another tool in the tenant would. */
    consumeQuota(count, tenant = tenantId) {
      const times = requestTimes.get(tenant) || [];
      for (let i = 0; i < count; i += 1) {
        times.push(clock.now());
      }
      requestTimes.set(tenant, times);
    },
    resetQuota: () => requestTimes.clear(),
  };
}

module.exports = { startGraphFake, MESSAGE_TRACES_PATH, parseFilter, compareRows };
