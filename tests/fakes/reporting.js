'use strict';

// Fake Office 365 Reporting Web Service message trace report:
// GET /ecp/reportingwebservice/reporting.svc/MessageTrace?$filter=StartDate eq
// datetime'…' and EndDate eq datetime'…', returning the JSON light or the
// verbose shape, paging with `$skiptoken` row offsets behind relative or
// absolute next links, and rejecting a start more than 10 days back.

const fs = require('node:fs');
const path = require('node:path');
const { startFakeServer } = require('./server');
const { parseTicks, formatTicks, msToTicks, ticksToMs } = require('./time');
const { statusAt, statusToTable } = require('./tenant');

const REPORTING_AUDIENCE = 'https://outlook.office365.com';
// The service matches paths without regard to case; its own next links
// spell the path `/ecp/ReportingWebService/Reporting.svc/`.
const MESSAGE_TRACE_PATH = /^\/ecp\/reportingwebservice\/reporting\.svc\/messagetrace$/i;
const NEXT_LINK_PATH = '/ecp/ReportingWebService/Reporting.svc/MessageTrace';
const LIGHT_CONTENT_TYPE = 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8';
const VERBOSE_CONTENT_TYPE = 'application/json;odata=verbose;charset=utf-8';
const DAY_MS = 24 * 60 * 60 * 1000;
const FILTER_PATTERN =
  /^StartDate eq datetime'(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)' and EndDate eq datetime'(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)'$/;
const CASES_DIR = path.join(__dirname, '..', 'cases');

function readCase(name) {
  return fs.readFileSync(path.join(CASES_DIR, name), 'utf8');
}

/** Builds an error in the JSON light shape the service uses: {"odata.error":{code, message:{lang, value}}}. */
function odataError(status, value, code = '') {
  return {
    status,
    headers: { 'content-type': LIGHT_CONTENT_TYPE },
    body: JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value } } }),
  };
}

function fixedReply(status, body, contentType = LIGHT_CONTENT_TYPE, headers = {}) {
  return { kind: 'reply', status, headers: { 'content-type': contentType, ...headers }, body };
}

const REPORTING_PRESETS = {
  /** The 404 returned while the app lacks the permission or the Entra role. */
  segmentNotFound: () => fixedReply(404, readCase('rws-404-segment.json')),
  forbidden: () => fixedReply(403, JSON.stringify({
    'odata.error': { code: '', message: { lang: 'en-US', value: 'No permission to access the report for the organization.' } },
  })),
  invalidQuery: () => fixedReply(400, readCase('rws-400-invalid-query.json')),
  /** A sign-in page served with status 200, as the service does now and then. */
  htmlPage: () => fixedReply(200, readCase('rws-200-html.html'), 'text/html; charset=utf-8'),
  truncatedJson: ({ keepBytes } = {}) => ({ kind: 'truncate', keepBytes, framing: 'complete' }),
  throttle: ({ retryAfter = 2 } = {}) => fixedReply(429, JSON.stringify({
    'odata.error': { code: '', message: { lang: 'en-US', value: 'Too many requests.' } },
  }), LIGHT_CONTENT_TYPE, { 'retry-after': String(retryAfter) }),
  serverError: () => fixedReply(500, JSON.stringify({
    'odata.error': { code: '', message: { lang: 'en-US', value: 'An error occurred while processing this request.' } },
  })),
  unavailable: () => fixedReply(503, '', 'text/html'),
};

/** Received text as the light shape writes it: 7 fractional digits and no zone. */
function lightTime(ticks) {
  return formatTicks(ticks, { fractionDigits: 7 }).slice(0, -1);
}

/** `/Date(<epoch ms>)/`, as the verbose shape writes Edm.DateTime (milliseconds only). */
function verboseTime(ticks) {
  return `/Date(${ticksToMs(ticks)})/`;
}

function blankToNull(value) {
  return value === '' || value === undefined ? null : value;
}

/**
 * Starts the fake Reporting Web Service.
 *
 * @param {object} options
 * @param {object} options.tls certificate from createTestCertificates
 * @param {object} options.tokens the token fake (for verifyBearer)
 * @param {object} options.clock shared clock (createClock)
 * @param {object[]} [options.rows] Graph-shaped source rows (generateTenant rows)
 * @param {string} [options.shape] 'light' (default) or 'verbose'
 * @param {string} [options.nextLinks] 'relative' (default, `../../ReportingWebService/…`) or 'absolute'
 * @param {number} [options.pageSize] rows per page, 2000 by default
 * @param {number} [options.maxLookbackDays] oldest StartDate accepted, 10 by default
 * @param {boolean} [options.emptyLastPage] end with a next link to an empty page
 * @param {boolean} [options.foreignNextLinks] point absolute next links at https://127.0.0.2:<port>
 * @param {string} [options.organization] Organization column value
 * @returns the server handle plus `filters()` (decoded $filter of every
 *   request), `setRows`, `sourceRows`, `visibleRows(startIso, endIso)`,
 *   `setOptions(partial)`, `inject(preset, options)` and `clearFaults()`;
 *   presets: segmentNotFound, forbidden, invalidQuery, htmlPage,
 *   truncatedJson, throttle, serverError, unavailable, reset, delay, status.
 */
async function startReportingFake({
  tls,
  tokens,
  clock,
  rows = [],
  shape = 'light',
  nextLinks = 'relative',
  pageSize = 2000,
  maxLookbackDays = 10,
  emptyLastPage = false,
  foreignNextLinks = false,
  organization = 'contoso.onmicrosoft.com',
}) {
  const settings = { shape, nextLinks, pageSize, maxLookbackDays, emptyLastPage, foreignNextLinks };
  const filters = [];
  let indexed = [];
  let baseUrl = '';
  let port = 0;

  function setRows(newRows) {
    indexed = newRows.map((row, sequence) => ({ row, sequence, receivedTicks: parseTicks(row.receivedDateTime) }));
  }

  function visible(startTicks, endTicks, nowMs) {
    return indexed
      .filter((entry) => entry.receivedTicks >= startTicks && entry.receivedTicks <= endTicks)
      .map((entry) => ({ ...entry, status: statusAt(entry.row, nowMs) }))
      .filter((entry) => entry.status !== null)
      // Newest first, then recipient and id, so that offsets are stable across pages.
      .sort((a, b) => {
        if (a.receivedTicks !== b.receivedTicks) {
          return a.receivedTicks > b.receivedTicks ? -1 : 1;
        }
        const byRecipient = a.row.recipientAddress.localeCompare(b.row.recipientAddress);
        return byRecipient !== 0 ? byRecipient : a.row.id.localeCompare(b.row.id);
      });
  }

  function toReportingRow(entry, index, filter) {
    const verbose = settings.shape === 'verbose';
    const time = verbose ? verboseTime : lightTime;
    const { row } = entry;
    const item = {
      Organization: organization,
      MessageId: blankToNull(row.messageId),
      Received: time(entry.receivedTicks),
      SenderAddress: row.senderAddress,
      RecipientAddress: row.recipientAddress,
      Subject: blankToNull(row.subject),
      Status: statusToTable(entry.status),
      ToIP: blankToNull(row.toIP),
      FromIP: blankToNull(row.fromIP),
      Size: Number(row.size),
      MessageTraceId: row.id,
      StartDate: verbose ? verboseTime(filter.startTicks) : `${lightTime(filter.startTicks)}Z`,
      EndDate: verbose ? verboseTime(filter.endTicks) : `${lightTime(filter.endTicks)}Z`,
      Index: index,
    };
    if (verbose) {
      const uri = `${baseUrl}${NEXT_LINK_PATH}(${index})`;
      return { __metadata: { id: uri, uri, type: 'TenantReporting.MessageTrace' }, ...item };
    }
    return item;
  }

  function nextLinkFor(filterText, lastIndex) {
    const query = `$filter=${encodeURIComponent(filterText).replace(/%27/g, "'").replace(/%3A/g, ':')}` +
      `&$skiptoken=${lastIndex}`;
    if (settings.nextLinks === 'absolute') {
      const host = settings.foreignNextLinks ? `https://127.0.0.2:${port}` : baseUrl;
      return `${host}${NEXT_LINK_PATH}?${query}`;
    }
    return `../../ReportingWebService/Reporting.svc/MessageTrace?${query}`;
  }

  function messageTrace(url, entry) {
    const filterText = url.searchParams.get('$filter');
    filters.push(filterText);
    entry.filter = filterText;
    const match = FILTER_PATTERN.exec(filterText ?? '');
    if (!match || parseTicks(match[1]) === null || parseTicks(match[2]) === null) {
      return fixedReply(400, readCase('rws-400-invalid-query.json'));
    }
    const filter = { startTicks: parseTicks(match[1]), endTicks: parseTicks(match[2]) };
    const nowMs = clock.now();
    if (filter.startTicks < msToTicks(nowMs - settings.maxLookbackDays * DAY_MS)) {
      return odataError(400, `Invalid StartDate value. The StartDate can't be older than ${settings.maxLookbackDays} days from today.`);
    }
    if (filter.startTicks > filter.endTicks) {
      return odataError(400, 'Invalid EndDate value. The EndDate must be later than the StartDate.');
    }

    const skiptoken = url.searchParams.get('$skiptoken');
    if (skiptoken !== null && !/^\d+$/.test(skiptoken)) {
      return odataError(400, `Incorrect format for $skiptoken argument '${skiptoken}'.`);
    }
    const offset = skiptoken === null ? 0 : Number(skiptoken) + 1;
    const matching = visible(filter.startTicks, filter.endTicks, nowMs);
    const page = matching.slice(offset, offset + settings.pageSize);
    const items = page.map((row, i) => toReportingRow(row, offset + i, filter));
    entry.rowsReturned = items.length;

    const lastIndex = offset + page.length - 1;
    const more = matching.length > offset + page.length;
    const next = more || (settings.emptyLastPage && page.length > 0) ? nextLinkFor(filterText, lastIndex) : null;
    entry.nextLink = next !== null;

    if (settings.shape === 'verbose') {
      const d = { results: items };
      if (next) {
        d.__next = next.startsWith('../') ? `${baseUrl}${NEXT_LINK_PATH}${next.slice(next.indexOf('?'))}` : next;
      }
      return { status: 200, headers: { 'content-type': VERBOSE_CONTENT_TYPE }, body: JSON.stringify({ d }) };
    }
    const body = { 'odata.metadata': `${baseUrl}/ecp/ReportingWebService/Reporting.svc/$metadata#MessageTrace`, value: items };
    if (next) {
      body['odata.nextLink'] = next;
    }
    return { status: 200, headers: { 'content-type': LIGHT_CONTENT_TYPE }, body: JSON.stringify(body) };
  }

  async function handle({ req, url, entry }) {
    if (!MESSAGE_TRACE_PATH.test(url.pathname)) {
      const segment = url.pathname.split('/').pop();
      return odataError(404, `Resource not found for the segment '${segment}'.`);
    }
    if (req.method !== 'GET') {
      return odataError(405, `The HTTP method '${req.method}' is not allowed.`);
    }
    const auth = tokens.verifyBearer(req.headers.authorization, REPORTING_AUDIENCE);
    entry.auth = auth.ok ? 'ok' : auth.reason;
    if (!auth.ok) {
      return { ...odataError(401, `The bearer token is ${auth.reason}; a token for ${REPORTING_AUDIENCE} is required.`),
        headers: { 'content-type': LIGHT_CONTENT_TYPE, 'www-authenticate': 'Bearer' } };
    }
    const accept = String(req.headers.accept || '');
    if (!/json/i.test(accept) && url.searchParams.get('$format') !== 'json') {
      // Without JSON in Accept the service returns its default format, Atom.
      entry.atom = true;
      return {
        status: 200,
        headers: { 'content-type': 'application/atom+xml;type=feed;charset=utf-8' },
        body: '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text">MessageTrace</title></feed>',
      };
    }
    return messageTrace(url, entry);
  }

  setRows(rows);
  const server = await startFakeServer({ name: 'reporting', tls, handle, presets: REPORTING_PRESETS });
  baseUrl = server.baseUrl;
  port = server.port;

  return {
    ...server,
    setRows,
    sourceRows: () => indexed.map((entry) => entry.row),
    /** Rows the report lists now for an inclusive range, newest first, in the fake's shape. */
    visibleRows(startIso, endIso) {
      const filter = { startTicks: parseTicks(startIso), endTicks: parseTicks(endIso) };
      return visible(filter.startTicks, filter.endTicks, clock.now()).map((row, i) => toReportingRow(row, i, filter));
    },
    filters: () => filters.slice(),
    setOptions(partial) {
      Object.assign(settings, partial);
    },
    inject: (preset, options) => server.faults.add(preset, options),
    clearFaults: () => server.faults.clear(),
  };
}

module.exports = { startReportingFake, REPORTING_AUDIENCE, lightTime, verboseTime };
