'use strict';
// Compares `handler lookalikes` with Debian's dnstwist (package dnstwist
// 0~20221213), which runs offline inside `unshare -n`: for every fuzzer both
// implement, the generator's permutations must contain dnstwist's.

const assert = require('node:assert/strict');
const test = require('node:test');

const compare = require('./lookalikes-compare.js');

function skipReason() {
  if (!compare.findGenerator()) {
    return 'no generator binary: build lookalikes_cli (cmake --build build) or set LOOKALIKES_CLI';
  }
  if (!compare.hasDebianDnstwist()) return 'Debian dnstwist is not installed (apt-get install dnstwist)';
  if (!compare.canUnshareNetwork()) {
    return '`unshare -n` is unavailable (needs user or network namespaces); dnstwist is never run with network access';
  }
  return null;
}

// A string skips the tests with that reason; false runs them.
const skip = skipReason() || false;
let report;
function comparison() {
  report = report || compare.compare(compare.findGenerator());
  return report;
}

test('comparison covers the required domain kinds', () => {
  const domains = compare.comparisonDomains;
  assert.ok(domains.length >= 20);
  assert.ok(domains.some((d) => d.includes('-')), 'a hyphenated domain');
  assert.ok(domains.some((d) => /\d/.test(d)), 'a domain with digits');
  assert.ok(domains.some((d) => d.endsWith('.co.uk')), 'a .co.uk domain');
  assert.ok(domains.some((d) => d.endsWith('.de')), 'a .de domain');
  assert.ok(domains.some((d) => /[^\x00-\x7f]/.test(d)), 'an IDN');
});

test('generator contains dnstwist output per fuzzer', { skip }, () => {
  const result = comparison();
  assert.equal(result.dnstwistVersion, '20221213');
  assert.ok(result.dnstwistFuzzers.includes('homoglyph'));
  for (const entry of result.domains) {
    for (const fuzzer of result.dnstwistFuzzers) {
      const { missingWithoutRules } = entry.fuzzers[fuzzer];
      assert.deepEqual(missingWithoutRules.slice(0, 10), [], `${entry.domain} ${fuzzer}: ${missingWithoutRules.length} missing`);
    }
  }
});

test('registry IDN rules drop only IDNs under restricting TLDs', { skip }, () => {
  // With the default rules the generator leaves out Unicode names that the
  // suffix's registry does not register (.co.uk none, .de only DENIC's
  // characters). Everything else dnstwist produces must still be there.
  const unrestrictedTlds = new Set(['com', 'net', 'org', 'au']);
  for (const entry of comparison().domains) {
    for (const [fuzzer, counts] of Object.entries(entry.fuzzers)) {
      for (const name of counts.missingWithRules) {
        assert.match(name, /xn--/, `${entry.domain} ${fuzzer}: ASCII name ${name} missing`);
        const tld = name.split('.').pop();
        assert.ok(!unrestrictedTlds.has(tld), `${entry.domain} ${fuzzer}: ${name} missing under .${tld}`);
      }
    }
  }
});

test('co.uk gets no IDN permutations by default', { skip }, () => {
  const entry = comparison().domains.find((e) => e.domain === 'contoso.co.uk');
  assert.equal(entry.fuzzers.homoglyph.missingWithoutRules.length, 0);
  assert.ok(entry.fuzzers.homoglyph.oursWithoutRules > entry.fuzzers.homoglyph.ours);
  const { rows } = compare.runGenerator(compare.findGenerator(), 'contoso.co.uk');
  const idns = rows.filter((row) => row.Domain.endsWith('.co.uk') && row.Domain.includes('xn--'));
  assert.deepEqual(idns, []);
});

test('rows carry both forms, fuzzer and original', { skip }, () => {
  const { rows } = compare.runGenerator(compare.findGenerator(), 'bücher.de', ['--fuzzers', 'omission,tld-swap']);
  const row = rows.find((r) => r.Domain === 'xn--bcer-0ra.de');
  assert.deepEqual(row, {
    Domain: 'xn--bcer-0ra.de',
    UnicodeDomain: 'bücer.de',
    Fuzzer: 'omission',
    OriginalDomain: 'xn--bcher-kva.de',
    Confusable: 'false',
  });
  assert.ok(rows.some((r) => r.Domain === 'xn--bcher-kva.com' && r.Fuzzer === 'tld-swap'));
  assert.ok(!rows.some((r) => r.Domain === 'xn--bcher-kva.de'), 'the original is not a look-alike of itself');
});
