'use strict';
// Type-checks KQL with @kusto/language-service-next against the workspace the
// Sentinel content runs in: the EmailEvents_CL table from
// deploy/schema/EmailEvents_CL.json, Sentinel's _GetWatchlist() returning the
// columns declared in deploy/sentinel/watchlists/*.yaml, and the workspace
// functions in deploy/sentinel/functions/*.yaml. Helper for
// sentinel-content.test.js, not a test file itself.

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const repoRoot = path.resolve(__dirname, '..', '..');
const sentinelDir = path.join(repoRoot, 'deploy', 'sentinel');

let kustoLanguage;

// The package is a Bridge.NET build of Kusto.Language: bridge.js installs the
// .NET runtime shim as a global, then the library registers Kusto.Language.
function loadKusto() {
  if (!kustoLanguage) {
    const packageDir = path.dirname(require.resolve('@kusto/language-service-next/package.json'));
    require(path.join(packageDir, 'bridge.js'));
    require(path.join(packageDir, 'Kusto.Language.Bridge.js'));
    kustoLanguage = globalThis.Kusto.Language;
  }
  return kustoLanguage;
}

function readYamlFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ file: path.join(dir, name), ...YAML.parse(fs.readFileSync(path.join(dir, name), 'utf8')) }));
}

function loadWatchlists() {
  return readYamlFiles(path.join(sentinelDir, 'watchlists'));
}

function loadFunctions() {
  return readYamlFiles(path.join(sentinelDir, 'functions'));
}

function scalarType(symbols, typeName) {
  const types = {
    bool: symbols.ScalarTypes.Bool,
    datetime: symbols.ScalarTypes.DateTime,
    decimal: symbols.ScalarTypes.Decimal,
    dynamic: symbols.ScalarTypes.Dynamic,
    guid: symbols.ScalarTypes.Guid,
    int: symbols.ScalarTypes.Int,
    long: symbols.ScalarTypes.Long,
    real: symbols.ScalarTypes.Real,
    string: symbols.ScalarTypes.String,
    timespan: symbols.ScalarTypes.TimeSpan,
  };
  const type = types[typeName];
  if (!type) throw new Error(`unknown column type '${typeName}'`);
  return type;
}

function column(symbols, name, typeName) {
  return new symbols.ColumnSymbol(name, scalarType(symbols, typeName), null, null, null, null);
}

// Columns that _GetWatchlist() returns for every watchlist, before the
// watchlist's own columns.
const watchlistFixedColumns = [
  ['_DTItemId', 'string'],
  ['LastUpdatedTimeUTC', 'datetime'],
  ['SearchKey', 'string'],
  ['WatchlistItem', 'dynamic'],
];

// Declares _GetWatchlist(watchlistAlias:string). Its result columns depend on
// the alias literal, so the function computes its return type from the call.
function watchlistFunction(symbols, watchlists) {
  const columnsByAlias = new Map(watchlists.map((w) => [w.alias, w.columns]));
  const returnType = (context) => {
    const alias = context.Arguments.Count > 0 ? context.Arguments.getItem(0).ConstantValue : null;
    const own = columnsByAlias.get(alias) || [];
    const columns = [
      ...watchlistFixedColumns.map(([name, type]) => column(symbols, name, type)),
      ...own.filter((c) => c.name !== 'SearchKey').map((c) => column(symbols, c.name, c.type)),
    ];
    return new symbols.TableSymbol.ctor(columns);
  };
  return new symbols.FunctionSymbol.ctor('_GetWatchlist', returnType, symbols.Tabularity.Tabular, [
    new symbols.Parameter.$ctor2('watchlistAlias', symbols.ScalarTypes.String),
  ]);
}

function buildGlobals({ withFunctions = true } = {}) {
  const kusto = loadKusto();
  const symbols = kusto.Symbols;

  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'deploy', 'schema', 'EmailEvents_CL.json'), 'utf8'));
  const table = new symbols.TableSymbol.$ctor4(
    schema.table,
    schema.columns.map((c) => column(symbols, c.name, c.type)),
  );

  const members = [table, watchlistFunction(symbols, loadWatchlists())];
  if (withFunctions) {
    for (const fn of loadFunctions()) {
      members.push(
        new symbols.FunctionSymbol.$ctor16(fn.functionAlias, `(${fn.functionParameters})`, `{\n${fn.query}\n}`, ''),
      );
    }
  }
  const database = new symbols.DatabaseSymbol.ctor('workspace', members);
  return kusto.GlobalState.Default.WithDatabase(database);
}

let defaultGlobals;

function lineAndColumn(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

// Returns the diagnostics of severity Error for `query`, each as
// "line:column CODE message (near 'text')".
function errorDiagnostics(query, globals) {
  const kusto = loadKusto();
  if (!globals) {
    defaultGlobals = defaultGlobals || buildGlobals();
    globals = defaultGlobals;
  }
  const code = kusto.KustoCode.ParseAndAnalyze(query, globals);
  const diagnostics = code.GetDiagnostics();
  const errors = [];
  for (let i = 0; i < diagnostics.Count; i += 1) {
    const d = diagnostics.getItem(i);
    if (d.Severity !== kusto.DiagnosticSeverity.Error) continue;
    const near = query.substr(d.Start, Math.max(d.Length, 1)).replace(/\s+/g, ' ');
    errors.push(`${lineAndColumn(query, d.Start)} ${d.Code} ${d.Message} (near '${near}')`);
  }
  return errors;
}

// Returns the names of the columns that `query` outputs.
function resultColumns(query, globals) {
  const kusto = loadKusto();
  if (!globals) {
    defaultGlobals = defaultGlobals || buildGlobals();
    globals = defaultGlobals;
  }
  const columns = kusto.KustoCode.ParseAndAnalyze(query, globals).ResultType.Columns;
  const names = [];
  for (let i = 0; i < columns.Count; i += 1) names.push(columns.getItem(i).Name);
  return names;
}

// Wraps a function body in a let statement and a call, so that the body is
// checked with its parameters bound.
function functionTestQuery(fn) {
  const args = fn.functionParameters
    .split(',')
    .map((p) => p.split(':')[1].split('=')[0].trim())
    .map((type) => ({ datetime: 'now()', timespan: '1h', string: '""', long: '0', int: '0', bool: 'false' })[type]);
  return `let ${fn.functionAlias}_under_test = (${fn.functionParameters}) {\n${fn.query}\n};\n` +
    `${fn.functionAlias}_under_test(${args.join(', ')})`;
}

module.exports = {
  buildGlobals,
  errorDiagnostics,
  functionTestQuery,
  loadFunctions,
  loadWatchlists,
  readYamlFiles,
  repoRoot,
  resultColumns,
  sentinelDir,
};
