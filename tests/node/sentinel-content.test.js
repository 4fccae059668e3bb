'use strict';
// Checks the Sentinel content in deploy/sentinel: every KQL query type-checks
// against the EmailEvents_CL schema, the rule files stay within the limits that
// Azure-Sentinel's detection template validator enforces, and the ARM template
// is the one build-arm.js generates from them.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');

const kql = require('./sentinel-kql.js');
const arm = require('../../deploy/sentinel/build-arm.js');

const content = arm.loadContent();
const watermarkPath = path.join(kql.repoRoot, 'handler', 'queries', 'watermark.kql');
const sentinelDocPath = path.join(kql.repoRoot, 'docs', 'sentinel.md');

function workbookQueries() {
  const queries = [];
  for (const workbook of content.workbooks) {
    for (const item of workbook.serialized.items) {
      if (item.type === 3) queries.push({ name: `${workbook.file} ${item.name}`, query: item.content.query });
    }
  }
  return queries;
}

function docQueries() {
  if (!fs.existsSync(sentinelDocPath)) return [];
  const text = fs.readFileSync(sentinelDocPath, 'utf8');
  return [...text.matchAll(/```kusto\n([\s\S]*?)```/g)].map((match, index) => ({
    name: `docs/sentinel.md kusto block ${index + 1}`,
    query: match[1],
  }));
}

function shippedQueries() {
  return [
    ...content.rules.map((rule) => ({ name: rule.file, query: rule.query })),
    ...workbookQueries(),
    ...docQueries(),
  ];
}

test('functions type-check', () => {
  // Checked without the functions declared, so that the body cannot lean on
  // itself.
  const globals = kql.buildGlobals({ withFunctions: false });
  assert.ok(content.functions.length > 0);
  for (const fn of content.functions) {
    assert.deepEqual(kql.errorDiagnostics(kql.functionTestQuery(fn), globals), [], fn.file);
  }
});

test('rule, workbook and doc queries type-check', () => {
  const queries = shippedQueries();
  assert.ok(queries.length >= 12, `expected rules, workbook items and doc examples, found ${queries.length}`);
  for (const { name, query } of queries) {
    assert.deepEqual(kql.errorDiagnostics(query), [], name);
  }
});

test('watermark query type-checks', () => {
  assert.ok(
    fs.existsSync(watermarkPath),
    `${path.relative(kql.repoRoot, watermarkPath)} is missing; it holds the handler's watermark query ` +
      '(max Received_t of the last 91 days) and must be type-checked here.',
  );
  const query = fs.readFileSync(watermarkPath, 'utf8');
  assert.deepEqual(kql.errorDiagnostics(query), []);
  assert.deepEqual(kql.resultColumns(query), ['Watermark']);
});

test('misspelled column is reported', () => {
  const rule = content.rules.find((r) => r.query.includes('SenderAddress_s'));
  const broken = rule.query.replaceAll('SenderAddress_s', 'SenderAdress_s');
  const errors = kql.errorDiagnostics(broken);
  assert.ok(errors.length > 0, 'a query with a misspelled column passed the check');
  assert.match(errors[0], /KS142 .*'SenderAdress_s'/);
});

test('unknown watchlist column is reported', () => {
  const errors = kql.errorDiagnostics("_GetWatchlist('LookalikeDomains') | project Domain, Fuzzers");
  assert.equal(errors.length, 1);
  assert.match(errors[0], /'Fuzzers'/);
  assert.deepEqual(kql.errorDiagnostics("_GetWatchlist('LookalikeDomains') | project Domain, Fuzzer"), []);
});

test('watchlist references name declared watchlists and columns', () => {
  const columnsByAlias = new Map(content.watchlists.map((w) => [w.alias, w.columns.map((c) => c.name)]));
  for (const { name, query } of [...shippedQueries(), ...content.functions.map((f) => ({ name: f.file, query: f.query }))]) {
    const aliases = [...query.matchAll(/_GetWatchlist\('([^']*)'\)/g)].map((m) => m[1]);
    for (const alias of aliases) {
      assert.ok(columnsByAlias.has(alias), `${name}: watchlist '${alias}' has no file in deploy/sentinel/watchlists`);
    }
    // column_ifexists() hides a misspelling from the type check, so its names
    // are compared with the columns of the watchlists the query reads.
    const allowed = new Set(aliases.flatMap((alias) => columnsByAlias.get(alias) || []));
    for (const match of query.matchAll(/column_ifexists\('([^']*)'/g)) {
      assert.ok(allowed.has(match[1]), `${name}: column_ifexists('${match[1]}') names no watchlist column`);
    }
  }
});

test('lookalike watchlist columns match the generator header', () => {
  const header = fs.readFileSync(path.join(kql.repoRoot, 'handler', 'lookalikes', 'watchlist_csv.hpp'), 'utf8');
  const match = /kWatchlistHeader = "([^"]+)"/.exec(header);
  assert.ok(match, 'kWatchlistHeader not found in watchlist_csv.hpp');
  const lookalikes = content.watchlists.find((w) => w.alias === 'LookalikeDomains');
  assert.deepEqual(lookalikes.columns.map((c) => c.name), match[1].split(','));
  assert.equal(lookalikes.itemsSearchKey, 'Domain');
});

// Limits from Azure-Sentinel's detection template validator
// (.script/tests/detectionTemplateSchemaValidation/Models in
// github.com/Azure/Azure-Sentinel): ScheduledTemplateInternalModel.cs,
// AnalyticsTemplateInternalModelBase.cs, AttackTactic.cs,
// EntityMappingIdentifiers.cs and KillChainTechniquesHelper.cs.
const severities = new Set(['Informational', 'Low', 'Medium', 'High']);
const tactics = new Set([
  'Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation',
  'DefenseEvasion', 'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'Exfiltration',
  'CommandAndControl', 'Impact', 'ImpairProcessControl', 'InhibitResponseFunction',
]);
// Tactics of each technique the rules use, as KillChainTechniquesHelper.cs
// maps them; the validator requires every one of them in the rule's tactics.
const techniqueTactics = {
  T1048: ['Exfiltration'],
  T1562: ['DefenseEvasion'],
  T1566: ['InitialAccess'],
  T1583: ['ResourceDevelopment'],
};
// Identifiers of the entity types the rules use, and the sets of identifiers
// of which at least one must be mapped completely.
const entityTypes = {
  Account: {
    identifiers: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID',
      'IsDomainJoined', 'DisplayName', 'ObjectGuid'],
    required: [['FullName'], ['Sid'], ['Name'], ['AadUserId'], ['PUID'], ['ObjectGuid']],
  },
  DNS: { identifiers: ['DomainName'], required: [['DomainName']] },
  IP: { identifiers: ['Address'], required: [['Address']] },
  Mailbox: {
    identifiers: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'],
    required: [['MailboxPrimaryAddress']],
  },
  MailMessage: {
    identifiers: ['Recipient', 'Urls', 'Threats', 'Sender', 'P1Sender', 'P1SenderDisplayName', 'P1SenderDomain',
      'SenderIP', 'P2Sender', 'P2SenderDisplayName', 'P2SenderDomain', 'ReceivedDate', 'NetworkMessageId',
      'InternetMessageId', 'Subject', 'BodyFingerprintBin1', 'BodyFingerprintBin2', 'BodyFingerprintBin3',
      'BodyFingerprintBin4', 'BodyFingerprintBin5', 'AntispamDirection', 'DeliveryAction', 'DeliveryLocation',
      'Language', 'ThreatDetectionMethods'],
    required: [['NetworkMessageId'], ['Recipient']],
  },
};

function minutes(duration) {
  const match = /^(\d+)([mhd])$/.exec(String(duration));
  assert.ok(match, `duration '${duration}' is not a number followed by m, h or d`);
  return Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2]];
}

for (const rule of content.rules) {
  test(`rule limits: ${rule.file}`, () => {
    assert.match(rule.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(rule.name.length > 0, 'name is empty');
    assert.ok(rule.name.length <= 256, 'name must have at most 256 characters');
    assert.ok(rule.description.length <= 5000, 'description must have at most 5,000 characters');
    assert.ok(severities.has(rule.severity), `severity '${rule.severity}'`);
    assert.ok(Array.isArray(rule.requiredDataConnectors), 'requiredDataConnectors must be a list');
    assert.ok(['Scheduled', 'NRT'].includes(rule.kind), `kind '${rule.kind}'`);
    assert.match(rule.version, /^\d+\.\d+\.\d+$/);
    assert.ok(rule.version.length <= 20);

    const frequency = minutes(rule.queryFrequency);
    const period = minutes(rule.queryPeriod);
    for (const [key, value] of [['queryFrequency', frequency], ['queryPeriod', period]]) {
      assert.ok(value >= 5, `${key} must be at least 5m`);
      assert.ok(value <= 14 * 1440, `${key} must be at most 14d`);
    }
    assert.ok(period >= frequency, 'queryPeriod must not be shorter than queryFrequency');
    if (period >= 2 * 1440) assert.ok(frequency >= 60, 'a queryPeriod of 2d or more needs a queryFrequency of 1h or more');

    assert.ok(['gt', 'lt', 'eq', 'ne'].includes(rule.triggerOperator), `triggerOperator '${rule.triggerOperator}'`);
    assert.ok(Number.isInteger(rule.triggerThreshold), 'triggerThreshold must be an integer');
    assert.ok(rule.triggerThreshold >= 0, 'triggerThreshold must be at least 0');
    assert.ok(rule.triggerThreshold <= 10000, 'triggerThreshold must be at most 10,000');

    assert.ok(rule.query.length >= 1, 'query is empty');
    assert.ok(rule.query.length <= 10000, `query has ${rule.query.length} characters, more than 10,000`);

    assert.ok(rule.tactics.length > 0);
    for (const tactic of rule.tactics) assert.ok(tactics.has(tactic), `tactic '${tactic}'`);
    for (const technique of rule.relevantTechniques) {
      assert.match(technique, /^T\d{4}(\.\d{3})?$/);
      const expected = techniqueTactics[technique.split('.')[0]];
      assert.ok(expected, `add ${technique} to techniqueTactics in this test`);
      for (const tactic of expected) {
        assert.ok(rule.tactics.includes(tactic), `${technique} needs tactic ${tactic}`);
      }
    }

    assert.ok(['AlertPerResult', 'SingleAlert'].includes(rule.eventGroupingSettings.aggregationKind));
  });

  test(`rule output feeds its mappings: ${rule.file}`, () => {
    const columns = new Set(kql.resultColumns(rule.query));
    const mappings = rule.entityMappings || [];
    assert.ok(mappings.length <= 5, 'at most 5 entity mappings');
    for (const mapping of mappings) {
      const entityType = entityTypes[mapping.entityType];
      assert.ok(entityType, `entity type '${mapping.entityType}'`);
      assert.ok(mapping.fieldMappings.length >= 1, `${mapping.entityType} maps no identifier`);
      assert.ok(mapping.fieldMappings.length <= 3, `${mapping.entityType} maps more than 3 identifiers`);
      const mapped = mapping.fieldMappings.map((field) => field.identifier);
      assert.ok(
        entityType.required.some((set) => set.every((identifier) => mapped.includes(identifier))),
        `${mapping.entityType} needs one of ${entityType.required.map((set) => set.join('+')).join(', ')}`,
      );
      for (const field of mapping.fieldMappings) {
        assert.ok(entityType.identifiers.includes(field.identifier), `${mapping.entityType} has no identifier '${field.identifier}'`);
        assert.ok(columns.has(field.columnName), `entity column '${field.columnName}' is not in the query output`);
      }
      if (mapping.entityType === 'MailMessage') {
        const messageId = mapping.fieldMappings.find((f) => f.identifier === 'NetworkMessageId');
        assert.equal(messageId && messageId.columnName, 'MessageTraceId_g', 'NetworkMessageId is MessageTraceId_g');
      }
    }

    const details = Object.entries(rule.customDetails || {});
    assert.ok(details.length <= 20, 'at most 20 custom details');
    for (const [key, columnName] of details) {
      assert.match(key, /^[a-zA-Z]+\w*$/);
      assert.ok(key.length <= 20, `custom detail key '${key}' is longer than 20 characters`);
      assert.match(columnName, /^[a-zA-Z_]+\w*$/);
      assert.ok(columns.has(columnName), `custom detail column '${columnName}' is not in the query output`);
    }

    const override = rule.alertDetailsOverride || {};
    const formats = [override.alertDisplayNameFormat, override.alertDescriptionFormat].filter(Boolean).join(' ');
    for (const match of formats.matchAll(/\{\{(\w+)\}\}/g)) {
      assert.ok(columns.has(match[1]), `placeholder {{${match[1]}}} is not in the query output`);
    }
    if (override.alertSeverityColumnName) assert.ok(columns.has(override.alertSeverityColumnName));
  });
}

test('rule ids are unique', () => {
  const ids = content.rules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('ARM template is up to date', () => {
  const current = fs.readFileSync(arm.templatePath, 'utf8');
  assert.equal(current, arm.renderTemplate(content), 'run: node deploy/sentinel/build-arm.js');
});

test('ARM template carries every rule, watchlist, function and workbook', () => {
  const template = arm.buildTemplate(content);
  const ofType = (type) => template.resources.filter((r) => r.type === type);

  const rules = ofType('Microsoft.SecurityInsights/alertRules');
  assert.equal(rules.length, content.rules.length);
  for (const rule of content.rules) {
    const resource = rules.find((r) => r.name === rule.id);
    assert.ok(resource, `no alertRules resource for ${rule.file}`);
    assert.equal(resource.properties.query, rule.query);
    assert.equal(resource.properties.queryFrequency, arm.isoDuration(rule.queryFrequency));
    assert.equal(resource.properties.queryPeriod, arm.isoDuration(rule.queryPeriod));
    assert.deepEqual(resource.properties.entityMappings, rule.entityMappings);
    assert.deepEqual(resource.properties.techniques, arm.parentTechniques(rule.relevantTechniques));
  }

  const watchlists = ofType('Microsoft.SecurityInsights/watchlists').map((r) => r.properties.watchlistAlias);
  assert.deepEqual(watchlists.sort(), ['AcceptedDomains', 'LookalikeDomains']);
  assert.equal(ofType('Microsoft.OperationalInsights/workspaces/savedSearches').length, content.functions.length);

  const [workbook] = ofType('Microsoft.Insights/workbooks');
  assert.equal(workbook.kind, 'shared');
  assert.equal(workbook.properties.category, 'sentinel');
  assert.deepEqual(JSON.parse(workbook.properties.serializedData), content.workbooks[0].serialized);
});

test('ISO durations', () => {
  assert.equal(arm.isoDuration('5m'), 'PT5M');
  assert.equal(arm.isoDuration('1h'), 'PT1H');
  assert.equal(arm.isoDuration('14d'), 'P14D');
  assert.throws(() => arm.isoDuration('1w'), /invalid duration '1w'/);
});

test('workbook has the article analytics', () => {
  const items = workbookQueries();
  const find = (pattern) => items.find((item) => pattern.test(item.query));
  assert.ok(find(/summarize Mails = count\(\) by SenderAddress_s \| top 10 by Mails/), 'top 10 senders');
  assert.ok(find(/summarize Mails = count\(\) by RecipientAddress_s \| top 10 by Mails/), 'top 10 recipients');
  assert.ok(find(/bin\(Received_t, 30m\)/), 'mail flow in 30-minute bins');
  assert.ok(find(/Internal = countif[\s\S]*Outbound[\s\S]*Inbound[\s\S]*bin_at\(Received_t, 1h, now\(\)\)/), 'direction per hour');
  assert.ok(find(/top 10 by Size_d desc/), 'ten largest messages');
  for (const { name, query } of items) {
    assert.doesNotMatch(query, /contoso/i, `${name} hard-codes a domain`);
  }
});
