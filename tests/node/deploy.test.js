'use strict';

// Structural checks of what a SOC engineer deploys: the ARM template and its
// example parameters under deploy/, the Graph permission script (argument
// handling and --dry-run only, because it talks to Entra ID) and the release
// zip from scripts/package.sh. Nothing here reaches Azure: the template is
// evaluated by tests/node/arm-template.js with placeholders for the values
// that exist only once Azure deploys it.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const arm = require('./arm-template');

const ROOT = path.join(__dirname, '..', '..');
const TEMPLATE_PATH = path.join(ROOT, 'deploy', 'azuredeploy.json');
const GRANT_SCRIPT = path.join(ROOT, 'deploy', 'grant-graph-permission.sh');
const PACKAGE_SCRIPT = path.join(ROOT, 'scripts', 'package.sh');
const HANDLER_BINARY = path.join(ROOT, 'build', 'handler', 'handler');

const WORKSPACE_ID =
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-sentinel' +
  '/providers/Microsoft.OperationalInsights/workspaces/law-sentinel';
const APP_SUBSCRIPTION = '22222222-2222-2222-2222-222222222222';
const APP_RESOURCE_GROUP = 'rg-message-trace';

// Built-in role definition ids, from Microsoft's list of Azure built-in roles.
const BUILT_IN_ROLES = {
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Log Analytics Reader': '73c42c96-874c-492b-b04d-ab87d138a893',
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
};

// App settings that the Functions host or the platform reads, not the handler.
const HOST_SETTINGS = new Set([
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'WEBSITE_RUN_FROM_PACKAGE',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
]);

const REQUIRED_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'MESSAGE_TRACE_SCHEDULE',
  'AZURE_TENANT_ID',
  'LOG_ANALYTICS_WORKSPACE_ID',
  'LOGS_INGESTION_ENDPOINT',
  'LOGS_INGESTION_DCR_ID',
  'LOGS_INGESTION_STREAM',
];

function readText(relative) {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

function readJson(relative) {
  return JSON.parse(readText(relative));
}

const template = readJson('deploy/azuredeploy.json');
const schema = readJson('deploy/schema/EmailEvents_CL.json');
const exampleSettings = readJson('local.settings.json.example').Values;

function rootScope(hostingPlan = 'FC1') {
  return new arm.Scope(template, {
    parameters: { workspaceResourceId: () => WORKSPACE_ID, hostingPlan: () => hostingPlan },
    subscriptionId: APP_SUBSCRIPTION,
    resourceGroup: APP_RESOURCE_GROUP,
    location: 'westeurope',
  });
}

/** Returns the one resource of `type`, with its scope and its evaluated form. */
function single(type, hostingPlan = 'FC1') {
  const matches = arm.resourcesIn(rootScope(hostingPlan)).filter(({ resource }) => resource.type === type);
  assert.equal(matches.length, 1, `expected one ${type}, found ${matches.length}`);
  const { resource, scope } = matches[0];
  return { resource, scope, evaluated: scope.evaluate(resource) };
}

/** Setting names in the first column of the Markdown tables of a document section. */
function tableNames(markdown, heading) {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `section '${heading}' not found`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^\| `([A-Za-z_][A-Za-z0-9_]*)` \|/gm)].map((match) => match[1]);
}

function documentedSettings() {
  return new Set([
    ...tableNames(readText('README.md'), '## Configuration'),
    ...tableNames(readText('docs/storage.md'), '## Settings'),
    ...Object.keys(exampleSettings),
  ]);
}

function appSettings(hostingPlan) {
  const { evaluated } = single('Microsoft.Web/sites', hostingPlan);
  return evaluated.properties.siteConfig.appSettings;
}

function settingValue(settings, name) {
  const found = settings.filter((setting) => setting.name === name);
  assert.equal(found.length, 1, `expected one app setting ${name}, found ${found.length}`);
  return found[0].value;
}

describe('azuredeploy.json', () => {
  it('has the ARM template shape, nested templates included', () => {
    const templates = [template, ...arm.resourcesIn(rootScope()).map(({ resource }) => resource.properties?.template)]
      .filter(Boolean);
    assert.equal(templates.length, 4, 'the top-level template and three nested deployments');
    for (const item of templates) {
      assert.match(item.$schema, /^https:\/\/schema\.management\.azure\.com\/schemas\/2019-04-01\/deploymentTemplate\.json#$/);
      assert.equal(item.contentVersion, '1.0.0.0');
      assert.equal(typeof item.parameters, 'object');
      assert.ok(Array.isArray(item.resources));
      assert.ok(item.resources.length > 0);
      for (const resource of item.resources) {
        assert.match(resource.type, /^Microsoft\.[A-Za-z]+\/[A-Za-z/]+$/, JSON.stringify(resource.name));
        assert.match(resource.apiVersion, /^\d{4}-\d{2}-\d{2}$/, resource.type);
        assert.ok(resource.name, `${resource.type} has no name`);
      }
    }
  });

  it('expressions parse and call only ARM functions', () => {
    const expressions = arm.expressionsByTemplate(template);
    assert.ok(expressions.length > 50, `found only ${expressions.length} expressions`);
    for (const { template: owner, path: where, text } of expressions) {
      const tree = arm.parseExpression(text);
      for (const call of arm.calls(tree)) {
        assert.ok(arm.KNOWN_FUNCTIONS.has(call.name), `${where}: unknown function ${call.name}() in ${text}`);
        if (call.name === 'parameters') {
          assert.ok(Object.hasOwn(owner.parameters ?? {}, call.args[0].value), `${where}: undeclared ${text}`);
        }
        if (call.name === 'variables') {
          assert.ok(Object.hasOwn(owner.variables ?? {}, call.args[0].value), `${where}: undeclared ${text}`);
        }
      }
    }
  });

  it('parameters default to Flex Consumption every 15 minutes', () => {
    const { parameters } = template;
    assert.deepEqual(Object.keys(parameters).sort(), ['hostingPlan', 'location', 'namePrefix', 'schedule', 'workspaceResourceId']);
    assert.deepEqual(parameters.hostingPlan.allowedValues, ['FC1', 'Y1']);
    assert.equal(parameters.hostingPlan.defaultValue, 'FC1');
    assert.equal(parameters.schedule.defaultValue, exampleSettings.MESSAGE_TRACE_SCHEDULE);
    assert.equal(parameters.schedule.defaultValue.split(' ').length, 6, 'NCRONTAB with seconds');
    assert.equal(Object.hasOwn(parameters.workspaceResourceId, 'defaultValue'), false);
  });

  it('names fit the Azure naming rules', () => {
    const storage = single('Microsoft.Storage/storageAccounts').evaluated;
    assert.match(storage.name, /^[a-z0-9]{3,24}$/);
    const site = single('Microsoft.Web/sites').evaluated;
    assert.match(site.name, /^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$/);
    const longest = rootScope();
    longest.parameterValues.namePrefix = () => 'abcdefghijk';
    assert.match(longest.variable('storageAccountName'), /^[a-z0-9]{24}$/);
  });

  it('table columns equal the schema file', () => {
    const { resource, scope, evaluated } = single('Microsoft.OperationalInsights/workspaces/tables');
    assert.equal(resource.apiVersion, '2022-10-01');
    assert.equal(evaluated.name, `law-sentinel/${schema.table}`);
    assert.equal(scope.subscriptionId, '11111111-1111-1111-1111-111111111111', 'table goes to the workspace subscription');
    assert.equal(scope.resourceGroup, 'rg-sentinel', 'table goes to the workspace resource group');
    assert.equal(evaluated.properties.plan, 'Analytics');
    assert.equal(evaluated.properties.schema.name, schema.table);
    assert.deepEqual(evaluated.properties.schema.columns, schema.columns);
  });

  it('DCR stream declares the schema columns', () => {
    const { resource, evaluated } = single('Microsoft.Insights/dataCollectionRules');
    assert.equal(resource.apiVersion, '2023-03-11');
    assert.equal(evaluated.kind, 'Direct');
    assert.equal(String(evaluated.location), `<reference(${WORKSPACE_ID}).location>`, 'DCR in the workspace region');
    const { streamDeclarations, destinations, dataFlows } = evaluated.properties;
    assert.deepEqual(Object.keys(streamDeclarations), [schema.stream]);
    assert.deepEqual(streamDeclarations[schema.stream].columns, schema.columns);

    assert.equal(destinations.logAnalytics.length, 1);
    assert.equal(destinations.logAnalytics[0].workspaceResourceId, WORKSPACE_ID);
    assert.equal(dataFlows.length, 1);
    assert.deepEqual(dataFlows[0].streams, [schema.stream]);
    assert.deepEqual(dataFlows[0].destinations, [destinations.logAnalytics[0].name]);
    assert.equal(dataFlows[0].transformKql, 'source');
    assert.equal(dataFlows[0].outputStream, schema.stream);
  });

  it('DCR stream is the default LOGS_INGESTION_STREAM', () => {
    const row = readText('README.md').match(/^\| `LOGS_INGESTION_STREAM` \|[^|]*\| `([^`]+)` \|$/m);
    assert.ok(row, 'README table row for LOGS_INGESTION_STREAM');
    assert.equal(row[1], schema.stream);
    assert.equal(exampleSettings.LOGS_INGESTION_STREAM, schema.stream);
    assert.equal(schema.stream, `Custom-${schema.table}`);
    const { evaluated } = single('Microsoft.Insights/dataCollectionRules');
    assert.ok(Object.hasOwn(evaluated.properties.streamDeclarations, exampleSettings.LOGS_INGESTION_STREAM));
  });

  for (const hostingPlan of ['FC1', 'Y1']) {
    it(`${hostingPlan} app settings are documented settings`, () => {
      const documented = documentedSettings();
      const settings = appSettings(hostingPlan);
      const names = settings.map((setting) => setting.name);
      assert.equal(new Set(names).size, names.length, `duplicate app setting in ${names.join(', ')}`);
      for (const name of names) {
        assert.ok(documented.has(name) || HOST_SETTINGS.has(name), `${name} is neither a handler nor a host setting`);
      }
      for (const name of REQUIRED_SETTINGS) {
        assert.ok(names.includes(name), `missing app setting ${name}`);
      }
      for (const name of ['AZURE_CLIENT_SECRET', 'DATA_COLLECTOR_SHARED_KEY', 'AzureWebJobsStorage']) {
        assert.ok(!names.includes(name), `${name} would put a secret in the app settings`);
      }
    });

    it(`${hostingPlan} app settings point at the deployed resources`, () => {
      const settings = appSettings(hostingPlan);
      const storage = single('Microsoft.Storage/storageAccounts', hostingPlan).evaluated;
      const monitorOutputs =
        '<reference(/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-sentinel' +
        '/providers/Microsoft.Resources/deployments/msgtrace-table-and-dcr).outputs';
      assert.equal(settingValue(settings, 'AzureWebJobsStorage__accountName'), storage.name);
      assert.equal(settingValue(settings, 'MESSAGE_TRACE_SCHEDULE'), '0 */15 * * * *');
      assert.equal(String(settingValue(settings, 'AZURE_TENANT_ID')), '<tenant().tenantId>');
      assert.equal(String(settingValue(settings, 'LOG_ANALYTICS_WORKSPACE_ID')), `<reference(${WORKSPACE_ID}).customerId>`);
      assert.equal(String(settingValue(settings, 'LOGS_INGESTION_ENDPOINT')), `${monitorOutputs}.logsIngestionEndpoint.value>`);
      assert.equal(String(settingValue(settings, 'LOGS_INGESTION_DCR_ID')), `${monitorOutputs}.dataCollectionRuleImmutableId.value>`);
      assert.equal(settingValue(settings, 'LOGS_INGESTION_STREAM'), schema.stream);
      assert.equal(settingValue(settings, 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'), 'Authorization=AAD');
    });
  }

  it('FC1 runs the custom handler from the deployment container', () => {
    const { evaluated: site } = single('Microsoft.Web/sites', 'FC1');
    const { evaluated: plan } = single('Microsoft.Web/serverfarms', 'FC1');
    const storage = single('Microsoft.Storage/storageAccounts', 'FC1').evaluated;
    assert.deepEqual(plan.sku, { name: 'FC1', tier: 'FlexConsumption' });
    assert.equal(site.kind, 'functionapp,linux');
    assert.deepEqual(site.identity, { type: 'SystemAssigned' });
    const config = site.properties.functionAppConfig;
    assert.deepEqual(config.runtime, { name: 'custom', version: '1.0' });
    assert.equal(config.deployment.storage.type, 'blobContainer');
    assert.equal(config.deployment.storage.value, `https://${storage.name}.blob.core.windows.net/app-package`);
    assert.deepEqual(config.deployment.storage.authentication, { type: 'SystemAssignedIdentity' });
    const names = site.properties.siteConfig.appSettings.map((setting) => setting.name);
    for (const rejected of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE']) {
      assert.ok(!names.includes(rejected), `Flex Consumption rejects or ignores ${rejected}`);
    }
  });

  it('Y1 runs the custom handler from the package blob', () => {
    const { evaluated: site } = single('Microsoft.Web/sites', 'Y1');
    const { evaluated: plan } = single('Microsoft.Web/serverfarms', 'Y1');
    const storage = single('Microsoft.Storage/storageAccounts', 'Y1').evaluated;
    assert.deepEqual(plan.sku, { name: 'Y1', tier: 'Dynamic' });
    assert.equal(plan.properties.reserved, true, 'a Linux plan');
    assert.equal(site.kind, 'functionapp,linux');
    assert.equal(site.properties.functionAppConfig, undefined);
    const settings = site.properties.siteConfig.appSettings;
    assert.equal(settingValue(settings, 'FUNCTIONS_WORKER_RUNTIME'), 'custom');
    assert.equal(settingValue(settings, 'FUNCTIONS_EXTENSION_VERSION'), '~4');
    assert.equal(
      settingValue(settings, 'WEBSITE_RUN_FROM_PACKAGE'),
      `https://${storage.name}.blob.core.windows.net/app-package/message-trace-handler.zip`,
    );
  });

  it('storage account accepts only identity-based access', () => {
    const { evaluated } = single('Microsoft.Storage/storageAccounts');
    assert.equal(evaluated.properties.allowSharedKeyAccess, false);
    assert.equal(evaluated.properties.allowBlobPublicAccess, false);
    assert.equal(evaluated.properties.supportsHttpsTrafficOnly, true);
    assert.equal(evaluated.properties.minimumTlsVersion, 'TLS1_2');
    const container = single('Microsoft.Storage/storageAccounts/blobServices/containers').evaluated;
    assert.equal(container.name, `${evaluated.name}/default/app-package`);
    assert.equal(container.properties.publicAccess, 'None');
  });

  it('role assignments grant the named built-in roles', () => {
    const assignments = arm
      .resourcesIn(rootScope())
      .filter(({ resource }) => resource.type === 'Microsoft.Authorization/roleAssignments')
      .map(({ resource, scope }) => ({ scope, evaluated: scope.evaluate(resource) }));
    const storage = single('Microsoft.Storage/storageAccounts').evaluated.name;
    const appInsights = single('Microsoft.Insights/components').evaluated.name;
    const dcr = single('Microsoft.Insights/dataCollectionRules').evaluated.name;

    const granted = [];
    for (const { scope, evaluated } of assignments) {
      const role = evaluated.properties.description.split(':')[0];
      assert.ok(Object.hasOwn(BUILT_IN_ROLES, role), `unknown role '${role}' in '${evaluated.properties.description}'`);
      assert.equal(
        evaluated.properties.roleDefinitionId,
        `/subscriptions/${scope.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`,
        `${role} has the wrong role definition id`,
      );
      assert.equal(evaluated.properties.principalType, 'ServicePrincipal');
      assert.match(String(evaluated.properties.principalId), /principalId/);
      granted.push(`${role} on ${scope.resourceGroup}/${evaluated.scope}`);
    }
    assert.deepEqual(granted.sort(), [
      `Log Analytics Reader on rg-sentinel/Microsoft.OperationalInsights/workspaces/law-sentinel`,
      `Monitoring Metrics Publisher on ${APP_RESOURCE_GROUP}/Microsoft.Insights/components/${appInsights}`,
      `Monitoring Metrics Publisher on rg-sentinel/Microsoft.Insights/dataCollectionRules/${dcr}`,
      `Storage Blob Data Owner on ${APP_RESOURCE_GROUP}/Microsoft.Storage/storageAccounts/${storage}`,
      `Storage Table Data Contributor on ${APP_RESOURCE_GROUP}/Microsoft.Storage/storageAccounts/${storage}`,
    ]);
    const names = assignments.map(({ evaluated }) => evaluated.name);
    assert.equal(new Set(names).size, names.length, 'role assignment names are unique');
  });

  it('outputs the app name and its principal id', () => {
    const outputs = rootScope().evaluate(template.outputs);
    assert.equal(outputs.functionAppName.value, single('Microsoft.Web/sites').evaluated.name);
    assert.match(String(outputs.principalId.value), /msgtrace-function-app\)\.outputs\.principalId\.value>$/);
    assert.equal(outputs.storageAccountName.value, single('Microsoft.Storage/storageAccounts').evaluated.name);
  });

  it('example parameters fit the template', () => {
    const example = readJson('deploy/azuredeploy.parameters.example.json');
    assert.match(example.$schema, /deploymentParameters\.json#$/);
    for (const [name, entry] of Object.entries(example.parameters)) {
      assert.ok(Object.hasOwn(template.parameters, name), `unknown parameter ${name}`);
      const allowed = template.parameters[name].allowedValues;
      if (allowed) assert.ok(allowed.includes(entry.value), `${name}=${entry.value} is not allowed`);
    }
    for (const [name, declared] of Object.entries(template.parameters)) {
      if (!Object.hasOwn(declared, 'defaultValue')) assert.ok(example.parameters[name], `missing required ${name}`);
    }
    assert.match(
      example.parameters.workspaceResourceId.value,
      /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/,
    );
  });
});

describe('grant-graph-permission.sh', () => {
  const principal = '11111111-2222-3333-4444-555555555555';
  let fakeBin;
  let azCalls;

  before(() => {
    // An az that records any call, so a dry run that runs it fails the test.
    fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'grant-az-'));
    azCalls = path.join(fakeBin, 'calls');
    fs.writeFileSync(path.join(fakeBin, 'az'), `#!/bin/sh\necho "$@" >> '${azCalls}'\nexit 1\n`, { mode: 0o755 });
  });

  after(() => fs.rmSync(fakeBin, { recursive: true, force: true }));

  function grant(...args) {
    return spawnSync('bash', [GRANT_SCRIPT, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` },
    });
  }

  it('scripts pass bash -n', () => {
    for (const script of [GRANT_SCRIPT, PACKAGE_SCRIPT]) {
      const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${script}: ${result.stderr}`);
    }
  });

  it('rejects a missing or malformed principal id', () => {
    const cases = [
      { args: [], message: /missing PRINCIPAL_ID/ },
      { args: ['--dry-run'], message: /missing PRINCIPAL_ID/ },
      { args: ['not-a-guid'], message: /invalid PRINCIPAL_ID 'not-a-guid'/ },
      { args: [principal, principal], message: /more than one PRINCIPAL_ID/ },
      { args: ['--force', principal], message: /unknown option '--force'/ },
    ];
    for (const { args, message } of cases) {
      const result = grant(...args);
      assert.equal(result.status, 64, `exit status for ${args.join(' ')}`);
      assert.match(result.stderr, message);
    }
    assert.equal(fs.existsSync(azCalls), false, 'az must not run');
  });

  it('dry run prints the Graph calls and runs none', () => {
    const result = grant('--dry-run', principal);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.existsSync(azCalls), false, 'az must not run in a dry run');
    assert.match(result.stderr, /\+ az ad sp create --id 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373/);
    assert.match(result.stderr, /appId\\ eq\\ \\'00000003-0000-0000-c000-000000000000\\'/);
    assert.match(result.stderr, /ExchangeMessageTrace\.Read\.All/);
    assert.match(
      result.stderr,
      new RegExp(`\\+ az rest --method POST --url https://graph\\.microsoft\\.com/v1\\.0/servicePrincipals/${principal}/appRoleAssignments`),
    );
    assert.match(result.stdout, /Dry run/);
  });

  it('help exits 0', () => {
    const result = grant('--help');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /usage: grant-graph-permission\.sh \[--dry-run\] PRINCIPAL_ID/);
  });
});

describe('scripts/package.sh', () => {
  let workDir;

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-'));
  });

  after(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function runPackage(...args) {
    return spawnSync('bash', [PACKAGE_SCRIPT, ...args], { encoding: 'utf8', cwd: ROOT });
  }

  function newestGlibc(binary) {
    const symbols = spawnSync('objdump', ['-T', binary], { encoding: 'utf8' }).stdout;
    const versions = [...new Set([...symbols.matchAll(/GLIBC_([0-9][0-9.]*)/g)].map((match) => match[1]))];
    const byVersion = (a, b) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      }
      return 0;
    };
    return versions.sort(byVersion).at(-1);
  }

  function newerThan231(version) {
    const [major, minor] = version.split('.').map(Number);
    return major > 2 || (major === 2 && minor > 31);
  }

  it('zip holds the app at its root with an executable handler', () => {
    const zip = path.join(workDir, 'release.zip');
    const result = runPackage('--output', zip);
    assert.equal(result.status, 0, result.stderr);

    const entries = spawnSync('zipinfo', ['-1', zip], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    assert.deepEqual(entries, ['MessageTraceTimer/', 'MessageTraceTimer/function.json', 'handler', 'host.json']);
    const modes = Object.fromEntries(
      spawnSync('zipinfo', [zip], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((line) => /^[-d]r/.test(line))
        .map((line) => [line.split(/\s+/).at(-1), line.split(/\s+/)[0]]),
    );
    assert.equal(modes.handler, '-rwxr-xr-x');
    assert.equal(modes['host.json'], '-rw-r--r--');

    const unpacked = path.join(workDir, 'unpacked');
    const unzip = spawnSync('unzip', ['-q', zip, '-d', unpacked], { encoding: 'utf8' });
    assert.equal(unzip.status, 0, unzip.stderr);
    assert.equal(fs.statSync(path.join(unpacked, 'handler')).mode & 0o777, 0o755);
    assert.equal(fs.readFileSync(path.join(unpacked, 'host.json'), 'utf8'), readText('host.json'));
    assert.equal(
      fs.readFileSync(path.join(unpacked, 'MessageTraceTimer', 'function.json'), 'utf8'),
      readText('MessageTraceTimer/function.json'),
    );
    const version = spawnSync(path.join(unpacked, 'handler'), ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, `the packaged handler does not run: ${version.stderr}`);
  });

  it('reports the newest glibc version the binary needs', () => {
    const newest = newestGlibc(HANDLER_BINARY);
    assert.ok(newest, 'the handler build links glibc dynamically');
    const result = runPackage('--output', path.join(workDir, 'report.zip'));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`newest glibc symbol version needed: GLIBC_${newest.replace(/\./g, '\\.')}\n`));
    assert.equal(/warning: GLIBC_/.test(result.stderr), newerThan231(newest), result.stderr);
  });

  it('strict mode refuses a binary that needs a newer glibc', () => {
    const newest = newestGlibc(HANDLER_BINARY);
    const zip = path.join(workDir, 'strict.zip');
    const result = runPackage('--output', zip, '--strict');
    if (newerThan231(newest)) {
      assert.equal(result.status, 1);
      assert.match(result.stderr, /not writing .*strict\.zip/);
      assert.equal(fs.existsSync(zip), false);
    } else {
      assert.equal(result.status, 0, result.stderr);
      assert.equal(fs.existsSync(zip), true);
    }
  });

  it('static binary passes strict mode', () => {
    const source = path.join(workDir, 'static.c');
    const binary = path.join(workDir, 'static-handler');
    fs.writeFileSync(source, 'int main(void) { return 0; }\n');
    const compile = spawnSync('cc', ['-static', '-o', binary, source], { encoding: 'utf8' });
    assert.equal(compile.status, 0, compile.stderr);
    const zip = path.join(workDir, 'static.zip');
    const result = runPackage('--binary', binary, '--output', zip, '--strict');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /statically linked/);
    assert.equal(fs.existsSync(zip), true);
  });

  it('rejects unknown arguments', () => {
    const result = runPackage('--zip', 'x.zip');
    assert.equal(result.status, 64);
    assert.match(result.stderr, /unknown argument '--zip'/);
  });
});
