'use strict';

// Starts every fake service the handler talks to, on 127.0.0.1 with ephemeral
// ports and a throwaway CA, and returns the environment that points the
// handler at them.

const crypto = require('node:crypto');
const { createTestCertificates } = require('./tls');
const { createClock } = require('./time');
const { startTokenFake } = require('./token');
const { startGraphFake } = require('./graph');
const { startQueryFake } = require('./query');
const { startIngestionFake } = require('./ingestion');
const { startManagedIdentityFake } = require('./managed-identity');
const { startReportingFake } = require('./reporting');
const { startDataCollectorFake } = require('./data-collector');
const { createWorkspace, loadEmailEventsSchema } = require('./workspace');
const { startAzurite } = require('./azurite');

/**
 * Starts the token, Graph, query and ingestion fakes.
 *
 * @param {object} [options]
 * @param {object} [options.tls] {caPath, certPem, keyPem}; a new CA when omitted
 * @param {object[]} [options.rows] source rows for Graph (generateTenant().rows)
 * @param {string} [options.messageTraceStart] MESSAGE_TRACE_START for env()
 * @param {number} [options.tokenLifetimeSeconds] expires_in of issued tokens, 3599 by default
 * @param {number} [options.queryLagMs] time from ingestion until rows are queryable, 0 by default
 * @param {boolean} [options.createTable] create the workspace table up front (true by default)
 * @param {number} [options.clockOffsetMs] start the shared fake clock this far from real time
 * @param {object} [options.graph] extra options for startGraphFake (throttleLimit,
 *   throttleWindowMs, foreignNextLinks, maxWindowDays, maxLookbackDays, ...)
 * @param {object} [options.ingestion] extra options for startIngestionFake
 * @param {object} [options.managedIdentity] extra options for startManagedIdentityFake
 *   (systemAssigned, userAssigned, tokenLifetimeSeconds); it serves plain http
 * @param {object} [options.reporting] extra options for startReportingFake (shape,
 *   nextLinks, pageSize, maxLookbackDays, emptyLastPage, ...); it serves options.rows too
 * @param {object} [options.dataCollector] extra options for startDataCollectorFake
 * @returns {Promise<object>} see the README in tests/ for the full shape:
 *   ids and secrets, `urls`, `caPath`, `clock`, `workspace`, the services
 *   `token`, `graph`, `query` and `ingestion`, `env(overrides)`,
 *   `ingestedRows()`, `requests(service)`, `clearFaults()` and `stop()`
 */
async function startFakes(options = {}) {
  const schema = loadEmailEventsSchema();
  const tenantId = options.tenantId || crypto.randomUUID();
  const clientId = options.clientId || crypto.randomUUID();
  const clientSecret = options.clientSecret || `fake~${crypto.randomBytes(18).toString('base64url')}`;
  const workspaceId = options.workspaceId || crypto.randomUUID();
  const dcrImmutableId = options.dcrImmutableId || `dcr-${crypto.randomBytes(16).toString('hex')}`;
  const stream = options.stream || schema.stream;
  const logType = options.logType || 'EmailEvents';
  const table = `${logType}_CL`;
  const dataCollectorKey = options.dataCollectorKey || crypto.randomBytes(64).toString('base64');

  const ownTls = !options.tls;
  const tls = options.tls || createTestCertificates();
  const clock = createClock({ offsetMs: options.clockOffsetMs || 0 });
  const workspace = createWorkspace({ clock, queryLagMs: options.queryLagMs || 0 });
  if (options.createTable !== false) {
    workspace.createTable(table, schema.columns);
  }

  const started = [];
  async function start(promise) {
    const service = await promise;
    started.push(service);
    return service;
  }

  try {
    const token = await start(startTokenFake({
      tls, tenantId, clientId, clientSecret, clock, tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    }));
    const graph = await start(startGraphFake({
      tls, tokens: token, tenantId, clock, rows: options.rows || [], ...(options.graph || {}),
    }));
    const query = await start(startQueryFake({ tls, tokens: token, clock, workspace, workspaceId }));
    const ingestion = await start(startIngestionFake({
      tls, tokens: token, clock, workspace, dcrImmutableId, stream, table, columns: schema.columns,
      ...(options.ingestion || {}),
    }));
    const reporting = await start(startReportingFake({
      tls, tokens: token, clock, rows: options.rows || [], ...(options.reporting || {}),
    }));
    const dataCollector = await start(startDataCollectorFake({
      tls, clock, workspace, workspaceId, sharedKey: dataCollectorKey, ...(options.dataCollector || {}),
    }));
    const managedIdentity = await start(startManagedIdentityFake({
      tokens: token, clock, ...(options.managedIdentity || {}),
    }));
    const services = { token, graph, query, ingestion, reporting, dataCollector, managedIdentity };

    // The handler keeps its checkpoint and lease in Blob storage: a real
    // Azurite on a free port, unless a test opts out or brings its own.
    let azurite = options.azurite || null;
    if (!azurite && options.storage !== false) {
      azurite = await startAzurite();
      started.push(azurite);
    }

    let messageTraceStart = options.messageTraceStart;
    let stopped = false;

    return {
      tenantId,
      clientId,
      clientSecret,
      workspaceId,
      dcrImmutableId,
      dataCollectorKey,
      stream,
      table,
      logType,
      caPath: tls.caPath,
      caPem: tls.caPem || require('node:fs').readFileSync(tls.caPath, 'utf8'),
      urls: {
        authority: token.baseUrl,
        graph: graph.baseUrl,
        query: query.baseUrl,
        ingestion: ingestion.baseUrl,
        identity: managedIdentity.endpoint,
        reporting: reporting.baseUrl,
        dataCollector: dataCollector.baseUrl,
      },
      clock,
      workspace,
      azurite,
      ...services,

      setMessageTraceStart(iso) {
        messageTraceStart = iso;
      },

      /** Environment for the handler; `overrides` win, and a value of undefined removes a key. */
      env(overrides = {}) {
        const env = {
          AZURE_TENANT_ID: tenantId,
          AZURE_CLIENT_ID: clientId,
          AZURE_CLIENT_SECRET: clientSecret,
          AZURE_AUTHORITY_HOST: token.baseUrl,
          MESSAGE_TRACE_SOURCE: 'graph',
          MESSAGE_TRACE_GRAPH_ENDPOINT: graph.baseUrl,
          LOG_ANALYTICS_WORKSPACE_ID: workspaceId,
          LOG_ANALYTICS_QUERY_ENDPOINT: query.baseUrl,
          INGESTION_API: 'logs-ingestion',
          LOGS_INGESTION_ENDPOINT: ingestion.baseUrl,
          LOGS_INGESTION_DCR_ID: dcrImmutableId,
          LOGS_INGESTION_STREAM: stream,
          MESSAGE_TRACE_REPORTING_ENDPOINT: reporting.baseUrl,
          DATA_COLLECTOR_ENDPOINT: dataCollector.baseUrl,
          DATA_COLLECTOR_SHARED_KEY: dataCollectorKey,
          MESSAGE_TRACE_LOG_TYPE: logType,
          AzureWebJobsStorage: azurite ? azurite.connectionString : 'UseDevelopmentStorage=true',
          SSL_CERT_FILE: tls.caPath,
        };
        if (messageTraceStart) {
          env.MESSAGE_TRACE_START = messageTraceStart;
        }
        for (const [key, value] of Object.entries(overrides)) {
          if (value === undefined) {
            delete env[key];
          } else {
            env[key] = value;
          }
        }
        return env;
      },

      /** Rows stored in the workspace table, datetimes as ISO strings. */
      ingestedRows: (tableName = table) => workspace.rows(tableName),

      /** Request log of one service, or of all of them in arrival order. */
      requests(service) {
        if (service) {
          return services[service].requests();
        }
        return Object.values(services)
          .flatMap((fake) => fake.requests())
          .sort((a, b) => a.time.localeCompare(b.time));
      },

      clearFaults() {
        for (const fake of Object.values(services)) {
          fake.clearFaults();
        }
      },

      async stop() {
        if (stopped) {
          return;
        }
        stopped = true;
        await Promise.all(started.map((service) => service.stop()));
        if (ownTls) {
          tls.cleanup();
        }
      },
    };
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    if (ownTls) {
      tls.cleanup();
    }
    throw error;
  }
}

module.exports = { startFakes };
