'use strict';

// Instants as BigInt counts of 100 ns ticks since the Unix epoch, the
// resolution of .NET DateTime and of Kusto datetime values. JavaScript Date
// stops at milliseconds, and message trace times carry up to 7 fractional
// digits, so comparisons go through ticks.

const TICKS_PER_MS = 10000n;
const TICKS_PER_SECOND = 10000000n;

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an ISO 8601 instant (0 to 7 fractional digits, `Z`, an offset, or no
 * zone meaning UTC) into ticks. Returns null for anything else.
 */
function parseTicks(text) {
  if (typeof text !== 'string') {
    return null;
  }
  const match = ISO_PATTERN.exec(text);
  if (!match) {
    return null;
  }
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const wholeMs = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  if (Number.isNaN(wholeMs)) {
    return null;
  }
  const check = new Date(wholeMs);
  if (check.getUTCDate() !== +day || check.getUTCMonth() !== +month - 1) {
    return null;
  }
  let ticks = BigInt(wholeMs) * TICKS_PER_MS;
  if (fraction) {
    ticks += BigInt(fraction.padEnd(7, '0'));
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const offsetMinutes = BigInt(+zone.slice(1, 3) * 60 + +zone.slice(4, 6));
    ticks -= sign * offsetMinutes * 60n * TICKS_PER_SECOND;
  }
  return ticks;
}

/**
 * Formats ticks as UTC ISO 8601 with `Z`. `fractionDigits` is 'trim' (drop
 * trailing zeros and the dot, as Kusto prints datetimes), 0 (whole seconds,
 * truncated) or 7.
 */
function formatTicks(ticks, { fractionDigits = 'trim' } = {}) {
  const wholeSeconds = floorDiv(ticks, TICKS_PER_SECOND);
  const remainder = ticks - wholeSeconds * TICKS_PER_SECOND;
  const base = new Date(Number(wholeSeconds) * 1000).toISOString().slice(0, 19);
  const fraction = remainder.toString().padStart(7, '0');
  if (fractionDigits === 0) {
    return `${base}Z`;
  }
  if (fractionDigits === 7) {
    return `${base}.${fraction}Z`;
  }
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

function floorDiv(a, b) {
  const quotient = a / b;
  return a % b < 0n ? quotient - 1n : quotient;
}

function msToTicks(ms) {
  return BigInt(Math.floor(ms)) * TICKS_PER_MS;
}

function ticksToMs(ticks) {
  return Number(floorDiv(ticks, TICKS_PER_MS));
}

/** Formats epoch milliseconds as `YYYY-MM-DDThh:mm:ssZ` (truncated). */
function formatWholeSeconds(ms) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Parses an ISO 8601 duration with days, hours, minutes and seconds
 * (`P91D`, `PT1H30M`, `P1DT2H`) into milliseconds. Returns null for other
 * forms, including years, months and weeks.
 */
function parseDurationMs(text) {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    String(text),
  );
  if (!match || text === 'P' || text.endsWith('T')) {
    return null;
  }
  const [, days = 0, hours = 0, minutes = 0, seconds = 0] = match;
  return ((+days * 24 + +hours) * 60 + +minutes) * 60000 + +seconds * 1000;
}

/** Creates a controllable clock for the fakes: real time plus an offset. */
function createClock({ offsetMs = 0 } = {}) {
  let offset = offsetMs;
  return {
    now: () => Date.now() + offset,
    nowTicks: () => msToTicks(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
    setOffset(ms) {
      offset = ms;
    },
    offsetMs: () => offset,
  };
}

module.exports = {
  TICKS_PER_MS,
  TICKS_PER_SECOND,
  parseTicks,
  formatTicks,
  msToTicks,
  ticksToMs,
  formatWholeSeconds,
  parseDurationMs,
  createClock,
};
