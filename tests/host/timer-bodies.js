'use strict';

// Timer trigger invocation bodies as the Azure Functions host (4.x) sends them
// to a custom handler: {Data: {<binding>: TimerInfo}, Metadata: {sys: ...}}.

const crypto = require('node:crypto');

const NEVER = '0001-01-01T00:00:00+00:00';

/** .NET round-trip format with a +00:00 offset and 7 fractional digits. */
function dotnetOffset(ms, { fraction = true } = {}) {
  const iso = new Date(ms).toISOString();
  const base = iso.slice(0, 19);
  const digits = `${iso.slice(20, 23)}${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
  return fraction ? `${base}.${digits}+00:00` : `${base}+00:00`;
}

function dotnetUtc(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}Z`;
}

function envelope(timerInfo, nowMs, bindingName) {
  return {
    Data: { [bindingName]: timerInfo },
    Metadata: {
      sys: { MethodName: 'MessageTraceTimer', UtcNow: dotnetUtc(nowMs), RandGuid: crypto.randomUUID() },
    },
  };
}

/** Bodies captured from real hosts: year-0001 Last, +02:00 offsets, null ScheduleStatus. */
const RECORDED_BODIES = {
  firstRun:
    '{"Data":{"myTimer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"0001-01-01T00:00:00+00:00",' +
    '"Next":"2026-11-21T09:15:00+00:00","LastUpdated":"0001-01-01T00:00:00+00:00"},"IsPastDue":false}},' +
    '"Metadata":{"sys":{"MethodName":"MessageTraceTimer","UtcNow":"2026-11-21T09:15:00.0096035Z",' +
    '"RandGuid":"5b1d9e0f-3c2a-4e8b-9d7f-6a5b4c3d2e1f"}}}',
  localOffsetPastDue:
    '{"Data":{"myTimer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-21T11:00:00.0096035+02:00",' +
    '"Next":"2026-11-21T11:15:00+02:00","LastUpdated":"2026-11-21T11:00:00.0096035+02:00"},"IsPastDue":true}},' +
    '"Metadata":{"sys":{"MethodName":"MessageTraceTimer","UtcNow":"2026-11-21T09:47:12.1Z",' +
    '"RandGuid":"0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"}}}',
  nullStatus:
    '{"Data":{"myTimer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},' +
    '"Metadata":{"sys":{"MethodName":"MessageTraceTimer","UtcNow":"2026-11-21T09:15:00.0213344Z",' +
    '"RandGuid":"24ad4c06-24ad-4e5b-8294-3da9714877e9"}}}',
};

/**
 * Builds a timer body as a JSON string.
 *
 * kinds: 'scheduled' (on time, Next = the occurrence being served),
 * 'pastDue' (listener start found a missed occurrence), 'manual' (admin API
 * run: stored status, IsPastDue false), 'firstRun' (Last = year 0001) and the
 * recorded bodies 'localOffsetPastDue' and 'nullStatus'.
 */
function timerBody(kind = 'scheduled', { nowMs = Date.now(), intervalMs = 15 * 60 * 1000, bindingName = 'timer' } = {}) {
  if (RECORDED_BODIES[kind] && kind !== 'firstRun') {
    return RECORDED_BODIES[kind];
  }
  const occurrence = Math.floor(nowMs / intervalMs) * intervalMs;
  const schedule = { AdjustForDST: true };
  let info;
  switch (kind) {
    case 'scheduled':
      info = {
        Schedule: schedule,
        ScheduleStatus: {
          Last: dotnetOffset(occurrence - intervalMs),
          Next: dotnetOffset(occurrence, { fraction: false }),
          LastUpdated: dotnetOffset(occurrence - intervalMs),
        },
        IsPastDue: false,
      };
      break;
    case 'pastDue':
      info = {
        Schedule: schedule,
        ScheduleStatus: {
          Last: dotnetOffset(occurrence - 3 * intervalMs),
          Next: dotnetOffset(occurrence - 2 * intervalMs, { fraction: false }),
          LastUpdated: dotnetOffset(occurrence - 3 * intervalMs),
        },
        IsPastDue: true,
      };
      break;
    case 'manual':
      info = {
        Schedule: schedule,
        ScheduleStatus: {
          Last: dotnetOffset(occurrence),
          Next: dotnetOffset(occurrence + intervalMs, { fraction: false }),
          LastUpdated: dotnetOffset(occurrence),
        },
        IsPastDue: false,
      };
      break;
    case 'firstRun':
      info = {
        Schedule: schedule,
        ScheduleStatus: { Last: NEVER, Next: dotnetOffset(occurrence, { fraction: false }), LastUpdated: NEVER },
        IsPastDue: false,
      };
      break;
    default:
      throw new Error(`unknown timer body kind '${kind}'; use scheduled, pastDue, manual, firstRun, ` +
        'localOffsetPastDue or nullStatus');
  }
  return JSON.stringify(envelope(info, nowMs, bindingName));
}

module.exports = { timerBody, RECORDED_BODIES };
