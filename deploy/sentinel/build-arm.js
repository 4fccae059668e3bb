#!/usr/bin/env node
'use strict';
// Generates azuredeploy.json, the ARM template for the Sentinel content, from
// the files next to this script: rules/*.yaml (Azure-Sentinel analytics rule
// format), functions/*.yaml, workbooks/*.yaml and watchlists/*.yaml. The KQL
// lives only in those files, so the template and the rule files cannot drift.
//
//   node deploy/sentinel/build-arm.js           write azuredeploy.json
//   node deploy/sentinel/build-arm.js --check   exit 1 if azuredeploy.json is stale

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const contentDir = __dirname;
const templatePath = path.join(contentDir, 'azuredeploy.json');

// GA API versions whose reference documents every property used here.
// NOTE: the tests check the template's structure; no test deploys it to Azure.
const apiVersions = {
  alertRules: '2022-11-01',
  watchlists: '2022-11-01',
  savedSearches: '2020-08-01',
  workbooks: '2022-04-01',
};

const triggerOperators = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' };

function readYamlDir(name) {
  const dir = path.join(contentDir, name);
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file: `${name}/${file}`, ...YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

function loadContent() {
  return {
    rules: readYamlDir('rules'),
    functions: readYamlDir('functions'),
    watchlists: readYamlDir('watchlists'),
    workbooks: readYamlDir('workbooks').map((workbook) => ({
      ...workbook,
      serialized: JSON.parse(fs.readFileSync(path.join(contentDir, 'workbooks', workbook.content), 'utf8')),
    })),
  };
}

// Converts a rule file duration (5m, 1h, 14d) to ISO 8601 (PT5M, PT1H, P14D).
function isoDuration(value) {
  const match = /^(\d+)([mhd])$/.exec(String(value));
  if (!match) throw new Error(`invalid duration '${value}': use a number followed by m, h or d, such as 1h`);
  const [, amount, unit] = match;
  return unit === 'd' ? `P${amount}D` : `PT${amount}${unit.toUpperCase()}`;
}

// ARM evaluates a string that starts with '[' and ends with ']' as an
// expression; '[[' makes it a literal.
function armLiteral(value) {
  if (typeof value === 'string') return /^\[.*\]$/s.test(value) ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(armLiteral);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, armLiteral(inner)]));
  }
  return value;
}

// ARM alert rules take parent techniques; sub-techniques (T1583.001) map to
// their parent (T1583).
function parentTechniques(techniques = []) {
  return [...new Set(techniques.map((technique) => technique.split('.')[0]))];
}

const workspaceResourceId = "resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))";

function savedSearchId(alias) {
  return `[resourceId('Microsoft.OperationalInsights/workspaces/savedSearches', parameters('workspaceName'), '${alias}')]`;
}

function watchlistId(alias) {
  return `[extensionResourceId(${workspaceResourceId}, 'Microsoft.SecurityInsights/watchlists', '${alias}')]`;
}

function savedSearchResource(fn) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: apiVersions.savedSearches,
    name: `[format('{0}/{1}', parameters('workspaceName'), '${fn.functionAlias}')]`,
    properties: armLiteral({
      category: fn.category,
      displayName: fn.displayName,
      query: fn.query,
      functionAlias: fn.functionAlias,
      functionParameters: fn.functionParameters,
      version: 2,
    }),
  };
}

function watchlistRawContent(watchlist) {
  const header = watchlist.columns.map((column) => column.name).join(',');
  const parameter = `parameters('${watchlist.content.parameter}')`;
  switch (watchlist.content.format) {
    case 'array':
      return `[concat('${header}\r\n', join(${parameter}, '\r\n'), '\r\n')]`;
    case 'csv':
      return `[${parameter}]`;
    default:
      throw new Error(`${watchlist.file}: content.format must be 'array' or 'csv'`);
  }
}

function watchlistResource(watchlist) {
  const resource = {
    type: 'Microsoft.SecurityInsights/watchlists',
    apiVersion: apiVersions.watchlists,
    scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
    name: watchlist.alias,
    properties: {
      ...armLiteral({
        displayName: watchlist.displayName,
        description: watchlist.description,
        provider: 'Custom',
        source: 'Local file',
        itemsSearchKey: watchlist.itemsSearchKey,
        contentType: 'text/csv',
        numberOfLinesToSkip: 0,
      }),
      watchlistAlias: watchlist.alias,
      rawContent: watchlistRawContent(watchlist),
    },
  };
  if (watchlist.content.format === 'csv') {
    // An empty CSV parameter means "not generated yet": deploy no watchlist,
    // and the rule reading it finds no rows.
    return { ...resource, condition: `[not(empty(parameters('${watchlist.content.parameter}')))]` };
  }
  return resource;
}

function usedFunctions(query, functions) {
  return functions.filter((fn) => new RegExp(`\\b${fn.functionAlias}\\s*\\(`).test(query));
}

function usedWatchlists(query, watchlists) {
  return watchlists.filter((w) => query.includes(`_GetWatchlist('${w.alias}')`));
}

function alertRuleResource(rule, content) {
  const properties = {
    displayName: rule.name,
    description: rule.description.trim(),
    severity: rule.severity,
    query: rule.query,
    queryFrequency: isoDuration(rule.queryFrequency),
    queryPeriod: isoDuration(rule.queryPeriod),
    triggerOperator: triggerOperators[rule.triggerOperator],
    triggerThreshold: rule.triggerThreshold,
    suppressionDuration: 'PT1H',
    suppressionEnabled: false,
    tactics: rule.tactics,
    techniques: parentTechniques(rule.relevantTechniques),
    eventGroupingSettings: rule.eventGroupingSettings,
    incidentConfiguration: {
      createIncident: true,
      groupingConfiguration: {
        enabled: false,
        reopenClosedIncident: false,
        lookbackDuration: 'PT5H',
        matchingMethod: 'AllEntities',
        groupByEntities: [],
        groupByAlertDetails: [],
        groupByCustomDetails: [],
      },
    },
  };
  if (rule.entityMappings) properties.entityMappings = rule.entityMappings;
  if (rule.customDetails) properties.customDetails = rule.customDetails;
  if (rule.alertDetailsOverride) properties.alertDetailsOverride = rule.alertDetailsOverride;

  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: apiVersions.alertRules,
    scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
    name: rule.id,
    kind: rule.kind,
    dependsOn: [
      ...usedFunctions(rule.query, content.functions).map((fn) => savedSearchId(fn.functionAlias)),
      ...usedWatchlists(rule.query, content.watchlists).map((w) => watchlistId(w.alias)),
    ],
    properties: { ...armLiteral(properties), enabled: "[parameters('rulesEnabled')]" },
  };
}

function workbookResource(workbook) {
  return {
    type: 'Microsoft.Insights/workbooks',
    apiVersion: apiVersions.workbooks,
    name: workbook.id,
    location: "[parameters('location')]",
    kind: 'shared',
    properties: {
      displayName: armLiteral(workbook.displayName),
      serializedData: armLiteral(JSON.stringify(workbook.serialized)),
      version: '1.0',
      sourceId: `[${workspaceResourceId}]`,
      category: 'sentinel',
    },
  };
}

function buildTemplate(content = loadContent()) {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'Microsoft Sentinel content for EmailEvents_CL (Exchange Online message trace): a KQL function, ' +
        'watchlists, analytics rules and a workbook. Generated by deploy/sentinel/build-arm.js from the files ' +
        'in deploy/sentinel; edit those and run the script instead of editing this file.',
    },
    parameters: {
      workspaceName: {
        type: 'string',
        metadata: { description: 'Log Analytics workspace with Microsoft Sentinel enabled that contains EmailEvents_CL.' },
      },
      location: {
        type: 'string',
        defaultValue: '[resourceGroup().location]',
        metadata: { description: 'Region of the workbook resource, usually the workspace region.' },
      },
      acceptedDomains: {
        type: 'array',
        minLength: 1,
        metadata: {
          description: "The tenant's accepted domains (Get-AcceptedDomain), e.g. [\"contoso.com\", \"fabrikam.com\"].",
        },
      },
      lookalikeDomainsCsv: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description:
            'CSV written by `handler lookalikes DOMAIN...`, header included. Empty: the LookalikeDomains ' +
            'watchlist is not deployed.',
        },
      },
      rulesEnabled: {
        type: 'bool',
        defaultValue: true,
        metadata: { description: 'Whether the analytics rules start enabled.' },
      },
    },
    resources: [
      ...content.functions.map(savedSearchResource),
      ...content.watchlists.map(watchlistResource),
      ...content.rules.map((rule) => alertRuleResource(rule, content)),
      ...content.workbooks.map(workbookResource),
    ],
  };
}

function renderTemplate(content) {
  return `${JSON.stringify(buildTemplate(content), null, 2)}\n`;
}

function main(args) {
  const rendered = renderTemplate();
  if (args.includes('--check')) {
    const current = fs.existsSync(templatePath) ? fs.readFileSync(templatePath, 'utf8') : '';
    if (current !== rendered) {
      console.error(`${templatePath} is out of date; run: node deploy/sentinel/build-arm.js`);
      return 1;
    }
    return 0;
  }
  fs.writeFileSync(templatePath, rendered);
  console.error(`wrote ${templatePath}`);
  return 0;
}

module.exports = { buildTemplate, isoDuration, loadContent, parentTechniques, renderTemplate, templatePath };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
