#!/usr/bin/env node
'use strict';
// Compares the look-alike generator (`handler lookalikes`) with Debian's
// dnstwist package, per domain and per fuzzer. Used by
// lookalikes-dnstwist.test.js; run directly to print the table in
// docs/lookalikes.md:
//
//   node tests/node/lookalikes-compare.js            # Markdown table
//   LOOKALIKES_CLI=/path/to/lookalikes_cli node tests/node/lookalikes-compare.js
//
// dnstwist runs offline. Its list output format returns before any DNS
// lookup: in dnstwist.py 20221213, run() prints Format(domains).list() and
// returns before it starts the Scanner threads that resolve names. As a second
// guard it runs inside `unshare -n`, a network namespace without interfaces,
// and Python's socket connect, send and name lookup functions are replaced by
// ones that raise.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const repoRoot = path.resolve(__dirname, '..', '..');
const tldListPath = path.join(repoRoot, 'handler', 'lookalikes', 'data', 'tld-swap.txt');
const debianPython = '/usr/bin/python3';
const debianDnstwist = '/usr/lib/python3/dist-packages/dnstwist.py';

// Plain, hyphenated, with digits, with a subdomain, multi-label suffixes, and
// IDNs under TLDs with and without registry IDN tables, and one label whose
// letters all have Cyrillic twins (coho).
const comparisonDomains = [
  'contoso.com',
  'fabrikam.com',
  'litware.com',
  'proseware.com',
  'tailspintoys.com',
  'woodgrovebank.com',
  'northwindtraders.com',
  'adventure-works.com',
  'blue-yonder.net',
  'wide-world-importers.org',
  'contoso365.com',
  'fabrikam-365.net',
  '4thcoffee.com',
  'mail.contoso.com',
  'contoso.co.uk',
  'fabrikam.co.uk',
  'contoso.com.au',
  'contoso.de',
  'fabrikam.de',
  'contoso.fr',
  'contoso.nl',
  'contoso.eu',
  'bücher.de',
  'münchen.de',
  'zürich.ch',
  'café.com',
  'coho.com',
];

// Every fuzzer of the generator, in its order.
const ourFuzzers = [
  'addition', 'bitsquatting', 'cyrillic', 'homoglyph', 'hyphenation', 'insertion', 'omission', 'plural',
  'repetition', 'replacement', 'subdomain', 'transposition', 'vowel-swap', 'various', 'tld-swap',
];

// Returns the generator command: LOOKALIKES_CLI, the standalone lookalikes_cli
// of a top-level build, or `handler lookalikes`. Null when none is built.
function findGenerator() {
  const candidates = [
    process.env.LOOKALIKES_CLI && { command: process.env.LOOKALIKES_CLI, prefix: [] },
    { command: path.join(repoRoot, 'build', 'handler', 'lookalikes', 'lookalikes_cli'), prefix: [] },
    { command: path.join(repoRoot, 'build', 'handler', 'handler'), prefix: ['lookalikes'] },
  ].filter(Boolean);
  return candidates.find((candidate) => fs.existsSync(candidate.command)) || null;
}

function canUnshareNetwork() {
  const result = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
  return result.status === 0;
}

function hasDebianDnstwist() {
  return fs.existsSync(debianPython) && fs.existsSync(debianDnstwist);
}

// Python run inside the namespace: for each domain and fuzzer, dnstwist's own
// command-line path (argument parsing, URL parsing, Fuzzer, list output) via
// dnstwist.run(format='list'), which also returns the rows with fuzzer names.
const dnstwistScript = String.raw`
import contextlib, io, json, socket, sys

import dnstwist

def refuse(*args, **kwargs):
    raise OSError('network access is disabled in this comparison')
for name in ('connect', 'connect_ex', 'sendto', 'sendmsg'):
    setattr(socket.socket, name, refuse)
socket.create_connection = refuse
socket.getaddrinfo = refuse
socket.gethostbyname = refuse

request = json.load(sys.stdin)
result = {'version': dnstwist.__version__, 'fuzzers': [], 'domains': {}}
result['fuzzers'] = [f for f in request['fuzzers']
                     if f in ('tld-swap', 'various') or hasattr(dnstwist.Fuzzer, '_' + f.replace('-', '_'))]
for domain in request['domains']:
    per_fuzzer = {}
    for fuzzer in result['fuzzers']:
        arguments = {'domain': domain, 'format': 'list', 'fuzzers': fuzzer}
        if fuzzer == 'tld-swap':
            arguments['tld'] = request['tld']
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                dnstwist.run(**arguments)
        except Exception as error:
            if 'do not generate any permutations' not in str(error):
                raise
        per_fuzzer[fuzzer] = [line for line in printed.getvalue().splitlines() if line]
    result['domains'][domain] = per_fuzzer
json.dump(result, sys.stdout)
`;

// Runs Debian's dnstwist without network access. Returns
// { version, fuzzers, domains: { domain: { fuzzer: [A-label names] } } }.
function runDnstwist(domains) {
  const result = spawnSync('unshare', ['-n', debianPython, '-c', dnstwistScript], {
    input: JSON.stringify({ domains, fuzzers: ourFuzzers, tld: tldListPath }),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`dnstwist comparison script failed (exit ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function parseWatchlistCsv(text) {
  const lines = text.split('\r\n').filter((line) => line.length > 0);
  const header = lines.shift().split(',');
  return lines.map((line) => {
    if (line.includes('"')) throw new Error(`unexpected quoted field in '${line}'`);
    return Object.fromEntries(line.split(',').map((value, i) => [header[i], value]));
  });
}

// Runs the generator on one domain. Returns the CSV rows and, per fuzzer, the
// set of A-label names it produced.
function runGenerator(generator, domain, extraArgs = []) {
  const args = [...generator.prefix, '--tld-list', tldListPath, ...extraArgs, domain];
  const result = spawnSync(generator.command, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${generator.command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
  }
  const rows = parseWatchlistCsv(result.stdout);
  const byFuzzer = new Map(ourFuzzers.map((fuzzer) => [fuzzer, new Set()]));
  for (const row of rows) {
    for (const fuzzer of row.Fuzzer.split(';')) byFuzzer.get(fuzzer).add(row.Domain);
  }
  return { rows, byFuzzer };
}

// Compares both tools on `domains`. For each domain: the total rows of the
// generator with registry IDN rules (default) and without them, and per
// fuzzer the counts and the dnstwist names that the generator lacks.
function compare(generator, domains = comparisonDomains) {
  const dnstwist = runDnstwist(domains);
  const toAscii = (domain) => new URL(`http://${domain}`).hostname;
  const report = { dnstwistVersion: dnstwist.version, dnstwistFuzzers: dnstwist.fuzzers, domains: [] };

  for (const domain of domains) {
    const original = toAscii(domain);
    const unrestricted = runGenerator(generator, domain, ['--all-unicode-glyphs']);
    const registry = runGenerator(generator, domain);
    const dnstwistUnion = new Set();
    const fuzzers = {};
    for (const fuzzer of ourFuzzers) {
      const theirs = dnstwist.fuzzers.includes(fuzzer)
        ? new Set(dnstwist.domains[domain][fuzzer].filter((name) => name !== original))
        : null;
      if (theirs) theirs.forEach((name) => dnstwistUnion.add(name));
      const missingWithoutRules = theirs ? [...theirs].filter((n) => !unrestricted.byFuzzer.get(fuzzer).has(n)) : [];
      const missingWithRules = theirs ? [...theirs].filter((n) => !registry.byFuzzer.get(fuzzer).has(n)) : [];
      fuzzers[fuzzer] = {
        ours: registry.byFuzzer.get(fuzzer).size,
        oursWithoutRules: unrestricted.byFuzzer.get(fuzzer).size,
        dnstwist: theirs ? theirs.size : null,
        missingWithoutRules,
        missingWithRules,
      };
    }
    report.domains.push({
      domain,
      original,
      total: registry.rows.length,
      totalWithoutRules: unrestricted.rows.length,
      dnstwistTotal: dnstwistUnion.size,
      fuzzers,
    });
  }
  return report;
}

function markdownTable(report) {
  const lines = [];
  const cell = (value) => (value === null ? '–' : String(value));
  lines.push(`| domain | ours (registry rules) | ours (all glyphs) | dnstwist ${report.dnstwistVersion} |`);
  lines.push('|---|---:|---:|---:|');
  for (const entry of report.domains) {
    lines.push(`| ${entry.domain} | ${entry.total} | ${entry.totalWithoutRules} | ${entry.dnstwistTotal} |`);
  }
  lines.push('');
  lines.push(`| fuzzer | ours (registry rules) | ours (all glyphs) | dnstwist ${report.dnstwistVersion} | dnstwist names we lack (all glyphs) |`);
  lines.push('|---|---:|---:|---:|---:|');
  for (const fuzzer of ourFuzzers) {
    const sum = (key) => report.domains.reduce((total, entry) => total + (entry.fuzzers[fuzzer][key] ?? 0), 0);
    const implemented = report.dnstwistFuzzers.includes(fuzzer);
    const missing = report.domains.reduce((total, e) => total + e.fuzzers[fuzzer].missingWithoutRules.length, 0);
    lines.push(`| ${fuzzer} | ${sum('ours')} | ${sum('oursWithoutRules')} | ${implemented ? sum('dnstwist') : cell(null)} | ${implemented ? missing : cell(null)} |`);
  }
  return lines.join('\n');
}

module.exports = {
  canUnshareNetwork,
  compare,
  comparisonDomains,
  findGenerator,
  hasDebianDnstwist,
  markdownTable,
  ourFuzzers,
  runGenerator,
};

if (require.main === module) {
  const generator = findGenerator();
  if (!generator) {
    console.error('No generator binary found: build lookalikes_cli (cmake --build build) or set LOOKALIKES_CLI.');
    process.exit(2);
  }
  if (!hasDebianDnstwist() || !canUnshareNetwork()) {
    console.error('Needs Debian dnstwist (apt-get install dnstwist) and a working `unshare -n`.');
    process.exit(2);
  }
  console.log(markdownTable(compare(generator)));
}
