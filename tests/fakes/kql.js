'use strict';

// A small subset of the Kusto Query Language, enough for the handler's
// watermark query and for tests that read a table back:
//
//   source    := Table | datatable(col:type, ...)[] | union [isfuzzy=true|false] leg, leg, ...
//   leg       := Table | ( pipeline )
//   pipeline  := source ( '|' operator )*
//   operator  := where predicate | project col, ... | summarize [Name =] max|min|count(...), ...
//              | count | take N | limit N
//   predicate := term (or term)*,  term := factor (and factor)*,  factor := ( predicate ) | cmp
//   cmp       := operand (== | != | =~ | !~ | < | <= | > | >=) operand
//   operand   := column | ago(<timespan>) | now() | datetime(<ISO>) | number | 'string' | "string"
//
// `=~` and `!~` compare strings case-insensitively; string literals take
// backslash escapes, as KQL's do.
//
// Anything else is rejected as unsupported. Missing tables and columns raise
// the semantic errors Log Analytics returns (SEM0100, and SEM0001 for a fuzzy
// union none of whose legs resolves).

const { parseTicks, formatTicks, msToTicks } = require('./time');
const cases = require('./cases');

class KqlError extends Error {
  constructor(body, message) {
    super(message);
    this.status = 400;
    this.body = body;
  }
}

/** Builds the 400 BadArgumentError for a query shape this subset does not cover. */
function unsupported(detail) {
  const message = `The fake Log Analytics query API does not support this query: ${detail}`;
  return new KqlError(
    {
      error: {
        message: 'The request had some invalid properties',
        code: 'BadArgumentError',
        innererror: { code: 'SyntaxError', message },
      },
    },
    message,
  );
}

function unresolvedName(operator, name, kind) {
  const body = cases.queryMissingTable(operator, name);
  if (kind === 'column') {
    body.error.innererror.innererror.message =
      `${operator ? `'${operator}' operator: ` : ''}Failed to resolve scalar expression named '${name}'`;
  }
  const error = new KqlError(body, body.error.innererror.innererror.message);
  error.semantic = true;
  return error;
}

const COMPARISON_OPERATORS = ['==', '!=', '=~', '!~', '>', '<', '>=', '<='];

const TIMESPAN_UNITS_MS = { d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };

const STRING_ESCAPES = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

/** Resolves the backslash escapes of a KQL string literal's body. */
function unescapeString(body) {
  return body.replace(/\\(.)/g, (whole, character) => {
    if (!(character in STRING_ESCAPES)) {
      throw unsupported(`string escape '${whole}'`);
    }
    return STRING_ESCAPES[character];
  });
}

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let match;
    if ((match = /^\s+/.exec(rest)) || (match = /^\/\/[^\n]*/.exec(rest))) {
      i += match[0].length;
      continue;
    }
    if ((match = /^datetime\s*\(\s*([^)]*?)\s*\)/.exec(rest))) {
      tokens.push({ type: 'datetime', value: match[1] });
    } else if ((match = /^(\d+(?:\.\d+)?)(ms|d|h|m|s)\b/.exec(rest))) {
      tokens.push({ type: 'timespan', ms: +match[1] * TIMESPAN_UNITS_MS[match[2]] });
    } else if ((match = /^\d+(?:\.\d+)?/.exec(rest))) {
      tokens.push({ type: 'number', value: +match[0] });
    } else if ((match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      tokens.push({ type: 'ident', value: match[0] });
    } else if ((match = /^'((?:[^'\\]|\\.)*)'|^"((?:[^"\\]|\\.)*)"/.exec(rest))) {
      tokens.push({ type: 'string', value: unescapeString(match[1] ?? match[2]) });
    } else if ((match = /^(==|!=|=~|!~|>=|<=|[|()[\],=:<>])/.exec(rest))) {
      tokens.push({ type: 'punct', value: match[0] });
    } else {
      throw unsupported(`unexpected text '${rest.slice(0, 20)}'`);
    }
    i += match[0].length;
  }
  return tokens;
}

function createParser(tokens) {
  let position = 0;

  const peek = (offset = 0) => tokens[position + offset];
  const isPunct = (value, offset = 0) => peek(offset)?.type === 'punct' && peek(offset).value === value;
  const isIdent = (value, offset = 0) => peek(offset)?.type === 'ident' && peek(offset).value === value;

  function describe(token) {
    return token ? `'${token.value ?? token.type}'` : 'the end of the query';
  }

  function expectPunct(value) {
    if (!isPunct(value)) {
      throw unsupported(`expected '${value}' but found ${describe(peek())}`);
    }
    position += 1;
  }

  function expectIdent(value) {
    const token = peek();
    if (token?.type !== 'ident' || (value && token.value !== value)) {
      throw unsupported(`expected ${value ? `'${value}'` : 'a name'} but found ${describe(token)}`);
    }
    position += 1;
    return token.value;
  }

  function parseSource() {
    if (isIdent('union')) {
      position += 1;
      let fuzzy = false;
      while (peek()?.type === 'ident' && isPunct('=', 1)) {
        const name = expectIdent();
        expectPunct('=');
        const value = expectIdent();
        if (name !== 'isfuzzy' || (value !== 'true' && value !== 'false')) {
          throw unsupported(`union parameter ${name}=${value}`);
        }
        fuzzy = value === 'true';
      }
      const legs = [parseLeg()];
      while (isPunct(',')) {
        position += 1;
        legs.push(parseLeg());
      }
      return { kind: 'union', fuzzy, legs };
    }
    if (isIdent('datatable')) {
      position += 1;
      expectPunct('(');
      const columns = [];
      do {
        if (isPunct(',')) {
          position += 1;
        }
        const name = expectIdent();
        expectPunct(':');
        columns.push({ name, type: expectIdent() });
      } while (isPunct(','));
      expectPunct(')');
      expectPunct('[');
      if (!isPunct(']')) {
        throw unsupported('datatable with rows (only an empty datatable is supported)');
      }
      position += 1;
      return { kind: 'datatable', columns };
    }
    return { kind: 'table', name: expectIdent() };
  }

  function parseLeg() {
    if (isPunct('(')) {
      position += 1;
      const pipeline = parsePipeline();
      expectPunct(')');
      return pipeline;
    }
    return { source: { kind: 'table', name: expectIdent() }, operators: [] };
  }

  function parseOperand() {
    const token = peek();
    if (!token) {
      throw unsupported('expected a value but found the end of the query');
    }
    if (token.type === 'datetime') {
      position += 1;
      const ticks = parseTicks(token.value);
      if (ticks === null) {
        throw unsupported(`datetime literal '${token.value}'`);
      }
      return { kind: 'datetime', ticks };
    }
    if (token.type === 'number' || token.type === 'string') {
      position += 1;
      return { kind: 'literal', value: token.value };
    }
    if (isIdent('ago') && isPunct('(', 1)) {
      position += 2;
      const span = peek();
      if (span?.type !== 'timespan') {
        throw unsupported('ago() takes a timespan literal such as 91d');
      }
      position += 1;
      expectPunct(')');
      return { kind: 'ago', ms: span.ms };
    }
    if (isIdent('now') && isPunct('(', 1)) {
      position += 2;
      expectPunct(')');
      return { kind: 'ago', ms: 0 };
    }
    if (token.type === 'ident' && !isPunct('(', 1)) {
      position += 1;
      return { kind: 'column', name: token.value };
    }
    throw unsupported(`expression starting at ${describe(token)}`);
  }

  function parseComparison() {
    const left = parseOperand();
    const operator = peek();
    if (operator?.type !== 'punct' || !COMPARISON_OPERATORS.includes(operator.value)) {
      throw unsupported(`expected a comparison operator but found ${describe(operator)}`);
    }
    position += 1;
    return { left, operator: operator.value, right: parseOperand() };
  }

  // `and` binds tighter than `or`; parentheses group.
  function parsePredicate() {
    const terms = [parseConjunction()];
    while (isIdent('or')) {
      position += 1;
      terms.push(parseConjunction());
    }
    return terms.length === 1 ? terms[0] : { kind: 'or', terms };
  }

  function parseConjunction() {
    const factors = [parseFactor()];
    while (isIdent('and')) {
      position += 1;
      factors.push(parseFactor());
    }
    return factors.length === 1 ? factors[0] : { kind: 'and', terms: factors };
  }

  function parseFactor() {
    if (isPunct('(')) {
      position += 1;
      const inner = parsePredicate();
      expectPunct(')');
      return inner;
    }
    return { kind: 'comparison', ...parseComparison() };
  }

  function parseAggregate() {
    let name = null;
    if (peek()?.type === 'ident' && isPunct('=', 1)) {
      name = expectIdent();
      expectPunct('=');
    }
    const fn = expectIdent();
    if (!['max', 'min', 'count'].includes(fn)) {
      throw unsupported(`aggregation function ${fn}()`);
    }
    expectPunct('(');
    let column = null;
    if (!isPunct(')')) {
      column = expectIdent();
    }
    expectPunct(')');
    if (fn !== 'count' && !column) {
      throw unsupported(`${fn}() needs a column`);
    }
    return { name: name || (fn === 'count' ? 'count_' : `${fn}_${column}`), fn, column };
  }

  function parseOperator() {
    const name = expectIdent();
    switch (name) {
      case 'where':
        return { op: 'where', predicate: parsePredicate() };
      case 'project': {
        const columns = [expectIdent()];
        while (isPunct(',')) {
          position += 1;
          columns.push(expectIdent());
        }
        return { op: 'project', columns };
      }
      case 'summarize': {
        const aggregates = [parseAggregate()];
        while (isPunct(',')) {
          position += 1;
          aggregates.push(parseAggregate());
        }
        if (isIdent('by')) {
          throw unsupported('summarize ... by');
        }
        return { op: 'summarize', aggregates };
      }
      case 'count':
        return { op: 'count' };
      case 'take':
      case 'limit': {
        const count = peek();
        if (count?.type !== 'number') {
          throw unsupported(`${name} needs a row count`);
        }
        position += 1;
        return { op: 'take', count: count.value };
      }
      default:
        throw unsupported(`operator '${name}'`);
    }
  }

  function parsePipeline() {
    const source = parseSource();
    const operators = [];
    while (isPunct('|')) {
      position += 1;
      operators.push(parseOperator());
    }
    return { source, operators };
  }

  return {
    parseQuery() {
      const pipeline = parsePipeline();
      if (position < tokens.length) {
        throw unsupported(`unexpected ${describe(peek())} after the query`);
      }
      return pipeline;
    },
  };
}

/** Parses query text into a pipeline tree, or throws a KqlError. */
function parseQuery(text) {
  if (typeof text !== 'string' || text.trim() === '') {
    throw unsupported('the query is empty');
  }
  return createParser(tokenize(text)).parseQuery();
}

function compareValues(left, right, operator) {
  if (left === null || left === undefined || right === null || right === undefined) {
    return false;
  }
  if (typeof left !== typeof right) {
    return false;
  }
  if (operator === '=~' || operator === '!~') {
    if (typeof left !== 'string') {
      return false;
    }
    const equal = left.toLowerCase() === right.toLowerCase();
    return operator === '=~' ? equal : !equal;
  }
  switch (operator) {
    case '==': return left === right;
    case '!=': return left !== right;
    case '>': return left > right;
    case '<': return left < right;
    case '>=': return left >= right;
    default: return left <= right;
  }
}

/**
 * Evaluates a pipeline against a context:
 *   resolveTable(name) -> {columns: [{name, type}], rows: [values]} or null
 *   nowTicks: BigInt, timespan: {startTicks, endTicks} or null
 * Returns {columns, rows} with datetime cells as ticks.
 */
function evaluatePipeline(pipeline, context) {
  const firstOperator = pipeline.operators[0]?.op ?? null;
  let result = evaluateSource(pipeline.source, context, firstOperator);
  for (const operator of pipeline.operators) {
    result = applyOperator(operator, result, context);
  }
  return result;
}

function evaluateSource(source, context, nextOperator) {
  if (source.kind === 'datatable') {
    return { columns: source.columns, rows: [] };
  }
  if (source.kind === 'table') {
    const table = context.resolveTable(source.name);
    if (!table) {
      throw unresolvedName(nextOperator, source.name, 'table');
    }
    let rows = table.rows;
    const hasTimeGenerated = table.columns.some((column) => column.name === 'TimeGenerated');
    if (context.timespan && hasTimeGenerated) {
      const { startTicks, endTicks } = context.timespan;
      rows = rows.filter((row) => row.TimeGenerated !== null && row.TimeGenerated !== undefined &&
        row.TimeGenerated >= startTicks && row.TimeGenerated <= endTicks);
    }
    return { columns: table.columns, rows };
  }

  const results = [];
  for (const leg of source.legs) {
    try {
      results.push(evaluatePipeline(leg, context));
    } catch (error) {
      if (!(source.fuzzy && error.semantic)) {
        throw error;
      }
    }
  }
  if (results.length === 0) {
    const error = new KqlError(cases.QUERY_FUZZY_UNION_NO_TABLE, 'union: no leg resolves');
    error.semantic = true;
    throw error;
  }
  const columns = [];
  for (const result of results) {
    for (const column of result.columns) {
      if (!columns.some((known) => known.name === column.name)) {
        columns.push(column);
      }
    }
  }
  return { columns, rows: results.flatMap((result) => result.rows) };
}

function requireColumn(result, name, operator) {
  const column = result.columns.find((candidate) => candidate.name === name);
  if (!column) {
    throw unresolvedName(operator, name, 'column');
  }
  return column;
}

function requirePredicateColumns(predicate, result) {
  if (predicate.kind !== 'comparison') {
    predicate.terms.forEach((term) => requirePredicateColumns(term, result));
    return;
  }
  for (const side of [predicate.left, predicate.right]) {
    if (side.kind === 'column') {
      requireColumn(result, side.name, 'where');
    }
  }
}

function evaluatePredicate(predicate, row, context) {
  switch (predicate.kind) {
    case 'and': return predicate.terms.every((term) => evaluatePredicate(term, row, context));
    case 'or': return predicate.terms.some((term) => evaluatePredicate(term, row, context));
    default:
      return compareValues(
        operandValue(predicate.left, row, context),
        operandValue(predicate.right, row, context),
        predicate.operator,
      );
  }
}

function operandValue(operand, row, context) {
  switch (operand.kind) {
    case 'column': return row[operand.name];
    case 'ago': return context.nowTicks - msToTicks(operand.ms);
    case 'datetime': return operand.ticks;
    default: return operand.value;
  }
}

function applyOperator(operator, result, context) {
  switch (operator.op) {
    case 'where': {
      requirePredicateColumns(operator.predicate, result);
      const rows = result.rows.filter((row) => evaluatePredicate(operator.predicate, row, context));
      return { columns: result.columns, rows };
    }
    case 'project': {
      const columns = operator.columns.map((name) => requireColumn(result, name, 'project'));
      const rows = result.rows.map((row) => Object.fromEntries(columns.map((column) => [column.name, row[column.name]])));
      return { columns, rows };
    }
    case 'summarize': {
      const columns = [];
      const values = {};
      for (const aggregate of operator.aggregates) {
        if (aggregate.fn === 'count') {
          columns.push({ name: aggregate.name, type: 'long' });
          values[aggregate.name] = result.rows.length;
          continue;
        }
        const source = requireColumn(result, aggregate.column, 'summarize');
        let best = null;
        for (const row of result.rows) {
          const value = row[aggregate.column];
          if (value === null || value === undefined) {
            continue;
          }
          if (best === null || (aggregate.fn === 'max' ? value > best : value < best)) {
            best = value;
          }
        }
        columns.push({ name: aggregate.name, type: source.type });
        values[aggregate.name] = best;
      }
      return { columns, rows: [values] };
    }
    case 'count':
      return { columns: [{ name: 'Count', type: 'long' }], rows: [{ Count: result.rows.length }] };
    default:
      return { columns: result.columns, rows: result.rows.slice(0, operator.count) };
  }
}

/** Formats an evaluation result as one Query API table. */
function toResponseTable(result) {
  return {
    name: 'PrimaryResult',
    columns: result.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: result.rows.map((row) => result.columns.map((column) => {
      const value = row[column.name];
      if (value === undefined || value === null) {
        return null;
      }
      return column.type === 'datetime' ? formatTicks(value) : value;
    })),
  };
}

module.exports = { parseQuery, evaluatePipeline, toResponseTable, KqlError, unsupported };
