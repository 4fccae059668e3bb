'use strict';

// Seeded, deterministic synthetic Exchange Online tenant: Graph-shaped message
// trace rows plus when each row becomes visible (`availableAt`) and how its
// status changes (`statusHistory`). The same options always give the same rows.
// All domains use the reserved .example TLD and all public IPs come from the
// documentation ranges (RFC 5737).

const { parseTicks, formatTicks } = require('./time');

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MAX_MESSAGE_BYTES = 35 * 1024 * 1024;

/** mulberry32: a small 32-bit PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function createRandom(seed) {
  const next = mulberry32(seed);
  const random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    hex: (length) => {
      let text = '';
      while (text.length < length) {
        text += Math.floor(next() * 16).toString(16);
      }
      return text;
    },
    weighted(entries) {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) {
          return value;
        }
      }
      return entries[entries.length - 1][0];
    },
  };
  random.guid = () => {
    const variant = '89ab'[random.int(0, 3)];
    return `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${variant}${random.hex(3)}-${random.hex(12)}`;
  };
  random.sample = (items, count) => {
    const pool = items.slice();
    const chosen = [];
    while (chosen.length < count && pool.length > 0) {
      chosen.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
    }
    return chosen;
  };
  return random;
}

const FIRST_NAMES = [
  'adele', 'alex', 'allan', 'amara', 'ana', 'bianca', 'carlos', 'chen', 'christie', 'daniel', 'diego', 'elif',
  'emma', 'fatima', 'grady', 'hana', 'henrietta', 'ines', 'isaiah', 'jan', 'johanna', 'joni', 'kenji', 'lee',
  'lidia', 'lynne', 'megan', 'miriam', 'nestor', 'nora', 'olga', 'pradeep', 'raul', 'sakura', 'sven', 'tomas',
];
const LAST_NAMES = [
  'adams', 'becker', 'costa', 'dubois', 'eriksen', 'fischer', 'garcia', 'haddad', 'ivanova', 'jensen', 'kowalski',
  'larsen', 'moreau', 'nakamura', 'okafor', 'peeters', 'quinn', 'rossi', 'schmidt', 'tanaka', 'urban', 'varga',
  'wagner', 'yilmaz', 'zhang',
];
const EXTERNAL_DOMAINS = [
  'northwind.example', 'adatum.example', 'woodgrove.example', 'litware.example', 'proseware.example', 'webmail.example',
];
const BULK_SENDERS = [
  'news@mail.tailspin.example', 'offers@email.wideworldimporters.example', 'digest@updates.lucerne.example',
];
const SUBJECTS = [
  'Monthly report', 'Re: Budget review', 'FW: Contract draft v3', 'Meeting notes', 'Invoice 2026-0412',
  'Quarterly results', 'Re: Re: Travel plans', 'Your order has shipped', 'Password expiry notice', 'Lunch?',
  'Réunion – compte rendu ✅', 'Übersicht Q3 Umsätze', '会议纪要：产品路线图', 'Привет, как дела?', 'Ολοκλήρωση έργου',
  '🎉 Team lunch on Friday', '👩‍💻 Dev sync', 'Offer 💰💰💰 expires today', 'Quote "final" version', 'Path C:\\shares\\finance',
  'Q3\tresults', 'RE: [EXTERNAL] Ticket #48213 – status', `Long thread ${'about the migration plan '.repeat(8).trim()}`,
  '', '',
];
const BULK_SUBJECTS = [
  'Your weekly digest', 'Spring sale: 20% off everything', 'Webinar invitation: cloud security',
  'Nouveautés du mois', '📣 Product update', 'Last chance to register',
];
const DISTRIBUTION_LISTS = [
  { name: 'all-staff', domainIndex: 0, size: 60 },
  { name: 'sales', domainIndex: 0, size: 15 },
  { name: 'project-zeta', domainIndex: 0, size: 25 },
  { name: 'it-ops', domainIndex: 1, size: 8 },
  { name: 'finance', domainIndex: 1, size: 10 },
];
const MAILBOX_SERVER_PREFIXES = ['AM0PR01MB', 'DB9PR02MB', 'VI1PR03MB', 'PA4PR04MB'];

/** Relative frequency of each kind of message. */
const MESSAGE_KINDS = [
  ['inbound', 420],
  ['outbound', 180],
  ['internal', 220],
  ['distributionList', 50],
  ['bulk', 15],
  ['nonDelivery', 30],
  ['spam', 50],
];

function toMs(value, name) {
  let ms;
  if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'number') {
    ms = value;
  } else {
    ms = Date.parse(value);
  }
  if (!Number.isFinite(ms)) {
    throw new Error(`generateTenant: ${name} '${value}' is not a valid date`);
  }
  return ms;
}

function publicIp(random) {
  const prefix = random.pick(['192.0.2', '198.51.100', '203.0.113']);
  return `${prefix}.${random.int(1, 254)}`;
}

function internalIp(random) {
  return `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function messageSize(random) {
  const roll = random.next();
  if (roll < 0.6) {
    return random.int(2 * 1024, 60 * 1024);
  }
  if (roll < 0.9) {
    return random.int(60 * 1024, 1024 * 1024);
  }
  if (roll < 0.99) {
    return random.int(1024 * 1024, 10 * 1024 * 1024);
  }
  return random.int(10 * 1024 * 1024, MAX_MESSAGE_BYTES);
}

function createDirectory(random, { internalDomains, userCount }) {
  const users = [];
  const usedAddresses = new Set();
  for (let i = 0; i < userCount; i += 1) {
    const domain = internalDomains[i % 3 === 2 ? 1 % internalDomains.length : 0];
    let local = `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}`;
    let suffix = 2;
    while (usedAddresses.has(`${local}@${domain}`)) {
      local = `${local.replace(/\d+$/, '')}${suffix}`;
      suffix += 1;
    }
    usedAddresses.add(`${local}@${domain}`);
    users.push(`${local}@${domain}`);
  }
  const distributionLists = DISTRIBUTION_LISTS.map((list) => ({
    address: `${list.name}@${internalDomains[list.domainIndex % internalDomains.length]}`,
    members: random.sample(users, Math.min(list.size, users.length)),
  }));
  // A set, so that a message never lists one recipient twice.
  const externalPeople = new Set();
  for (let i = 0; i < 120; i += 1) {
    externalPeople.add(`${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}@${random.pick(EXTERNAL_DOMAINS)}`);
  }
  return { users, distributionLists, externalPeople: [...externalPeople] };
}

/**
 * Picks message times in [start, end) with more mail during working hours
 * (07:00 to 19:00 UTC), sorted ascending.
 */
function messageTimes(random, startMs, endMs, count) {
  const times = [];
  while (times.length < count) {
    const candidate = startMs + Math.floor(random.next() * (endMs - startMs));
    const hour = new Date(candidate).getUTCHours();
    const weight = hour >= 7 && hour < 19 ? 1 : 0.25;
    if (random.chance(weight)) {
      times.push(candidate);
    }
  }
  return times.sort((a, b) => a - b);
}

/** Received time text: whole seconds, or 1 to 7 fractional digits for a share of messages. */
function receivedText(random, ms, fractionalShare) {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  if (!random.chance(fractionalShare)) {
    return `${base}Z`;
  }
  const digits = random.int(1, 7);
  let fraction = '';
  for (let i = 0; i < digits; i += 1) {
    fraction += String(random.int(0, 9));
  }
  return `${base}.${fraction}Z`;
}

/**
 * Generates a synthetic tenant.
 *
 * @param {object} options
 * @param {number} [options.seed] PRNG seed, 1 by default
 * @param {string|number|Date} options.start first instant of mail (inclusive)
 * @param {string|number|Date} options.end last instant of mail (exclusive)
 * @param {number} [options.messagesPerDay] messages (not rows) per day, 500 by default
 * @param {string[]} [options.internalDomains] two accepted domains by default
 * @param {number} [options.userCount] mailboxes, 300 by default
 * @param {object} [options.lateness] visibility delay after receipt:
 *   {minMs, typicalMaxMs, lateShare, lateMaxMs}; by default 30 s to 10 min,
 *   and 2 % of messages up to 24 h late
 * @param {number} [options.transientShare] share of rows first listed as
 *   gettingStatus or pending, 0.04 by default
 * @param {object} [options.settleMs] {min, max} time until a transient status
 *   settles, 1 to 30 min by default
 * @param {number} [options.stuckShare] share of rows whose status stays
 *   gettingStatus, 0 by default
 * @param {number} [options.fractionalShare] share of messages whose received
 *   time has fractional seconds, 0.3 by default
 * @returns {{seed: number, start: string, end: string, rows: object[],
 *   messageCount: number, users: string[], distributionLists: object[],
 *   internalDomains: string[]}} rows in ascending received order; each row has
 *   the Graph fields plus `availableAt` (ISO) and `statusHistory`
 *   ([{at, status}], oldest first; `status` is the last entry's)
 */
function generateTenant({
  seed = 1,
  start,
  end,
  messagesPerDay = 500,
  internalDomains = ['contoso.example', 'fabrikam.example'],
  userCount = 300,
  lateness = {},
  transientShare = 0.04,
  settleMs = {},
  stuckShare = 0,
  fractionalShare = 0.3,
} = {}) {
  const startMs = toMs(start, 'start');
  const endMs = toMs(end, 'end');
  if (endMs <= startMs) {
    throw new Error('generateTenant: end must be after start');
  }
  const delays = { minMs: 30 * 1000, typicalMaxMs: 10 * MINUTE_MS, lateShare: 0.02, lateMaxMs: DAY_MS, ...lateness };
  const settle = { min: MINUTE_MS, max: 30 * MINUTE_MS, ...settleMs };
  const random = createRandom(seed);
  const directory = createDirectory(random, { internalDomains, userCount });
  const messageCount = Math.round((messagesPerDay * (endMs - startMs)) / DAY_MS);
  const times = messageTimes(random, startMs, endMs, messageCount);
  const rows = [];
  let previousReceived = null;

  for (const timeMs of times) {
    const kind = random.weighted(MESSAGE_KINDS);
    // One message in a hundred shares its received time with the one before.
    const received = previousReceived && random.chance(0.01)
      ? previousReceived
      : receivedText(random, timeMs, fractionalShare);
    previousReceived = received;
    const message = buildMessage(random, kind, directory, internalDomains);
    const receivedMs = Math.floor(Number(parseTicks(received) / 10000n));
    const baseDelay = random.chance(delays.lateShare)
      ? random.int(delays.typicalMaxMs, delays.lateMaxMs)
      : random.int(delays.minMs, delays.typicalMaxMs);
    const id = random.guid();
    const messageId = message.messageId;
    const size = message.size;

    for (const recipient of message.recipients) {
      const availableMs = receivedMs + baseDelay + random.int(0, 30 * 1000);
      const history = statusHistoryFor(random, recipient.status, availableMs, {
        transient: recipient.mayBeTransient && random.chance(transientShare),
        stuck: recipient.mayBeTransient && random.chance(stuckShare),
        settle,
      });
      rows.push({
        id,
        senderAddress: message.sender,
        recipientAddress: recipient.address,
        messageId,
        receivedDateTime: received,
        subject: message.subject,
        size,
        fromIP: message.fromIP,
        toIP: recipient.toIP,
        status: history[history.length - 1].status,
        availableAt: new Date(availableMs).toISOString(),
        statusHistory: history,
      });
    }
  }

  return {
    seed,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    rows,
    messageCount,
    users: directory.users,
    distributionLists: directory.distributionLists,
    internalDomains,
  };
}

function statusHistoryFor(random, finalStatus, availableMs, { transient, stuck, settle }) {
  const at = (ms) => new Date(ms).toISOString();
  if (stuck) {
    return [{ at: at(availableMs), status: 'gettingStatus' }];
  }
  if (finalStatus === 'quarantined' && random.chance(0.15)) {
    // Released from quarantine hours later: the row is listed again as delivered.
    const releasedMs = availableMs + random.int(HOUR_MS, 48 * HOUR_MS);
    return [{ at: at(availableMs), status: 'quarantined' }, { at: at(releasedMs), status: 'delivered' }];
  }
  if (transient) {
    const first = random.chance(0.5) ? 'gettingStatus' : 'pending';
    const settledMs = availableMs + random.int(settle.min, settle.max);
    return [{ at: at(availableMs), status: first }, { at: at(settledMs), status: finalStatus }];
  }
  return [{ at: at(availableMs), status: finalStatus }];
}

function internalMessageId(random) {
  return `<${random.hex(12)}.${random.hex(8)}@${random.pick(MAILBOX_SERVER_PREFIXES)}${random.int(1000, 9999)}` +
    `.eurprd0${random.int(1, 9)}.prod.outlook.com>`;
}

function buildMessage(random, kind, directory, internalDomains) {
  const { users, distributionLists, externalPeople } = directory;
  const subject = random.pick(SUBJECTS);
  const size = messageSize(random);
  const recipientsFrom = (addresses, status, toIP, mayBeTransient = true) =>
    addresses.map((address) => ({ address, status: typeof status === 'function' ? status() : status, toIP, mayBeTransient }));

  switch (kind) {
    case 'inbound': {
      const sender = random.pick(externalPeople);
      const fromIP = random.chance(0.01) ? '' : publicIp(random);
      const count = random.weighted([[1, 70], [2, 20], [3, 10]]);
      return {
        sender,
        subject,
        size,
        fromIP,
        messageId: `<${random.hex(16)}@mail.${sender.split('@')[1]}>`,
        recipients: recipientsFrom(random.sample(users, count), () => random.weighted([
          ['delivered', 97], ['filteredAsSpam', 1], ['quarantined', 1], ['failed', 1],
        ]), ''),
      };
    }
    case 'outbound': {
      const count = random.weighted([[1, 60], [2, 25], [3, 10], [4, 5]]);
      return {
        sender: random.pick(users),
        subject,
        size,
        fromIP: random.chance(0.7) ? internalIp(random) : publicIp(random),
        messageId: internalMessageId(random),
        recipients: random.sample(externalPeople, count).map((address) => ({
          address,
          status: random.weighted([['delivered', 95], ['failed', 5]]),
          toIP: random.chance(0.02) ? null : publicIp(random),
          mayBeTransient: true,
        })),
      };
    }
    case 'internal': {
      const count = random.weighted([[1, 50], [2, 25], [3, 12], [4, 8], [6, 5]]);
      return {
        sender: random.pick(users),
        subject,
        size,
        fromIP: random.chance(0.9) ? internalIp(random) : null,
        messageId: internalMessageId(random),
        recipients: recipientsFrom(random.sample(users, count), 'delivered', ''),
      };
    }
    case 'distributionList': {
      const list = random.pick(distributionLists);
      const expandedRow = { address: list.address, status: 'expanded', toIP: '', mayBeTransient: false };
      return {
        sender: random.chance(0.8) ? random.pick(users) : random.pick(externalPeople),
        subject,
        size: Math.min(size, 5 * 1024 * 1024),
        fromIP: internalIp(random),
        messageId: internalMessageId(random),
        recipients: [expandedRow, ...recipientsFrom(list.members, 'delivered', '')],
      };
    }
    case 'bulk': {
      const sender = random.pick(BULK_SENDERS);
      const spam = random.chance(0.3);
      return {
        sender,
        subject: random.pick(BULK_SUBJECTS),
        size: random.int(20 * 1024, 250 * 1024),
        fromIP: publicIp(random),
        messageId: `<${random.hex(20)}.${random.int(100000, 999999)}@bounce.${sender.split('@')[1]}>`,
        recipients: recipientsFrom(random.sample(users, random.int(20, 150)),
          () => (spam && random.chance(0.8) ? 'filteredAsSpam' : 'delivered'), ''),
      };
    }
    case 'nonDelivery': {
      const domain = random.pick(internalDomains);
      return {
        sender: `postmaster@${domain}`,
        subject: random.chance(0.5) ? `Undeliverable: ${subject}` : 'Delivery has failed to these recipients or groups',
        size: random.chance(0.2) ? 0 : random.int(5 * 1024, 40 * 1024),
        fromIP: null,
        messageId: random.chance(0.3) ? internalMessageId(random) : `<${random.hex(32)}@${domain}>`,
        recipients: recipientsFrom([random.pick(users)], 'delivered', null, false),
      };
    }
    default: {
      const sender = `${random.hex(8)}@${random.pick(['promo-mail.example', 'cheap-deals.example', 'webmail.example'])}`;
      return {
        sender,
        subject: random.pick(['You won!!! 🎁', 'URGENT: verify your account', 'Invoice overdue', 'Re:', '']),
        size: random.int(3 * 1024, 90 * 1024),
        fromIP: publicIp(random),
        messageId: `<${random.hex(24)}@${sender.split('@')[1]}>`,
        recipients: recipientsFrom(random.sample(users, random.weighted([[1, 80], [2, 20]])),
          () => random.weighted([['filteredAsSpam', 70], ['quarantined', 30]]), '', false),
      };
    }
  }
}

/** RWS capitalisation of a Graph status: delivered -> Delivered, gettingStatus -> GettingStatus. */
function statusToTable(status) {
  if (typeof status !== 'string' || status === '') {
    return status;
  }
  return status[0].toUpperCase() + status.slice(1);
}

/** Returns the status a source row shows at `atMs`, or null while the row is not available. */
function statusAt(row, atMs) {
  if (row.availableAt && Date.parse(row.availableAt) > atMs) {
    return null;
  }
  const history = row.statusHistory || [];
  if (history.length === 0) {
    return row.status;
  }
  let status = history[0].status;
  for (const change of history) {
    if (Date.parse(change.at) <= atMs) {
      status = change.status;
    }
  }
  return status;
}

/**
 * Maps one Graph row to the table columns. Null or empty IPs and subjects are
 * left out; datetimes are normalised to Kusto's form (trailing zeros dropped).
 */
function toTableRow(graphRow, status = graphRow.status) {
  const received = formatTicks(parseTicks(graphRow.receivedDateTime));
  const row = {
    TimeGenerated: received,
    Received_t: received,
    SenderAddress_s: graphRow.senderAddress,
    RecipientAddress_s: graphRow.recipientAddress,
    Status_s: statusToTable(status),
    Size_d: Number(graphRow.size),
    MessageId_s: graphRow.messageId,
    MessageTraceId_g: graphRow.id,
  };
  for (const [column, value] of [['Subject_s', graphRow.subject], ['FromIP_s', graphRow.fromIP], ['ToIP_s', graphRow.toIP]]) {
    if (value !== null && value !== undefined && value !== '') {
      row[column] = value;
    }
  }
  return row;
}

/**
 * Computes the table rows expected from source rows at time `at`: rows
 * available then, with the status in effect then, optionally limited to an
 * inclusive received range. This is the source as a reader sees it at `at`;
 * it does not model a handler holding back transient statuses.
 */
function expectedTableRows(sourceRows, { at = Date.now(), windowStart, windowEnd } = {}) {
  const atMs = typeof at === 'number' ? at : Date.parse(at);
  const startTicks = windowStart ? parseTicks(windowStart) : null;
  const endTicks = windowEnd ? parseTicks(windowEnd) : null;
  const rows = [];
  for (const source of sourceRows) {
    const status = statusAt(source, atMs);
    if (status === null) {
      continue;
    }
    const ticks = parseTicks(source.receivedDateTime);
    if ((startTicks !== null && ticks < startTicks) || (endTicks !== null && ticks > endTicks)) {
      continue;
    }
    rows.push(toTableRow(source, status));
  }
  return rows;
}

/** Identity of a table row: (message trace id, recipient, status), case-insensitive. */
function tableRowKey(row) {
  return [row.MessageTraceId_g, row.RecipientAddress_s, row.Status_s]
    .map((part) => String(part ?? '').toLowerCase())
    .join('|');
}

function sameCell(column, left, right) {
  const blank = (value) => value === null || value === undefined || value === '';
  if (blank(left) || blank(right)) {
    return blank(left) && blank(right);
  }
  if (column === 'TimeGenerated' || column === 'Received_t') {
    const leftTicks = parseTicks(String(left));
    return leftTicks !== null && leftTicks === parseTicks(String(right));
  }
  if (column === 'Size_d') {
    return Number(left) === Number(right);
  }
  if (column === 'MessageTraceId_g') {
    return String(left).toLowerCase() === String(right).toLowerCase();
  }
  return left === right;
}

/**
 * Compares table rows by key. Null, missing and empty strings count as the
 * same value, datetimes compare as instants, and TimeGenerated is skipped by
 * default because the service replaces values more than 2 days old.
 *
 * @returns {{missing: object[], unexpected: object[], duplicates: string[],
 *   mismatched: {key: string, column: string, actual: *, expected: *}[]}}
 */
function compareTableRows(actualRows, expectedRows, { ignoreColumns = ['TimeGenerated'] } = {}) {
  const actualByKey = new Map();
  const duplicates = [];
  for (const row of actualRows) {
    const key = tableRowKey(row);
    if (actualByKey.has(key)) {
      duplicates.push(key);
    } else {
      actualByKey.set(key, row);
    }
  }
  const missing = [];
  const mismatched = [];
  const seen = new Set();
  for (const expected of expectedRows) {
    const key = tableRowKey(expected);
    seen.add(key);
    const actual = actualByKey.get(key);
    if (!actual) {
      missing.push(expected);
      continue;
    }
    const columns = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const column of columns) {
      if (!ignoreColumns.includes(column) && !sameCell(column, actual[column], expected[column])) {
        mismatched.push({ key, column, actual: actual[column], expected: expected[column] });
      }
    }
  }
  const unexpected = [...actualByKey.entries()].filter(([key]) => !seen.has(key)).map(([, row]) => row);
  return { missing, unexpected, duplicates, mismatched };
}

module.exports = {
  mulberry32,
  generateTenant,
  expectedTableRows,
  toTableRow,
  statusToTable,
  statusAt,
  tableRowKey,
  compareTableRows,
};
