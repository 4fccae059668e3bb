'use strict';

// Response bodies that real services returned to message trace collectors,
// with personal data replaced. The fakes send them byte for byte when a test
// injects the matching fault.

/**
 * Microsoft Graph 401 while the tenant lacks a service principal for
 * Microsoft's message trace app 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373
 * ("Transport Data Platform"); provisioning can take hours.
 */
const GRAPH_401_NO_SERVICE_PRINCIPAL = {
  error: {
    code: 'Unauthorized',
    message:
      'Service principal-less Authentication failed: the service principal for App ID ' +
      '8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 was not found. Please create a service principal for this app in ' +
      'your tenant. Provisioning may take several hours to complete.',
    innerError: {
      date: '2026-11-21T09:00:00',
      'request-id': '00000000-0000-0000-0000-000000000003',
      'client-request-id': '00000000-0000-0000-0000-000000000004',
    },
  },
};

/**
 * The 400 that Graph returns on every retry of a next link whose `$skiptoken`
 * carries dates wrapped in literal quotes.
 */
const GRAPH_400_POISONED_SKIPTOKEN = {
  error: {
    code: 'BadRequest',
    message: "Cannot process argument transformation on parameter 'StartDate'. Cannot convert value to type System.DateTime.",
    innerError: {
      date: '2026-11-21T13:05:02',
      'request-id': '00000000-0000-0000-0000-000000000001',
      'client-request-id': '00000000-0000-0000-0000-000000000002',
    },
  },
};

/** The decoded `$skiptoken` of a poisoned next link, as Graph produced it. */
const GRAPH_POISONED_SKIPTOKEN_DECODED = {
  StartDate: '"2026-11-20T15:43:20.2718704Z"',
  EndDate: '"2026-11-21T13:04:13.0580000Z"',
  StartingRecipientAddress: '"user@fabrikam.com"',
  ResultSize: '1000',
};

/** Log Analytics 400 for a query naming a table that does not exist. */
function queryMissingTable(operator, table) {
  const prefix = operator ? `'${operator}' operator: ` : '';
  return {
    error: {
      message: 'The request had some invalid properties',
      code: 'BadArgumentError',
      innererror: {
        code: 'SemanticError',
        message: 'A semantic error occurred.',
        innererror: {
          code: 'SEM0100',
          message: `${prefix}Failed to resolve table or column expression named '${table}'`,
        },
      },
    },
  };
}

/** Log Analytics 400 for `union isfuzzy=true` when no leg resolves. */
const QUERY_FUZZY_UNION_NO_TABLE = {
  error: {
    message: 'The request had some invalid properties',
    code: 'BadArgumentError',
    innererror: {
      code: 'SemanticError',
      message: 'A semantic error occurred.',
      innererror: {
        code: 'SEM0001',
        message: "union: must have at least one operand that can be evaluated successfully when running with 'Fuzzy' mode.",
      },
    },
  },
};

/** Log Analytics 200 with an incomplete result next to the tables. */
function queryPartialError(tables) {
  return {
    tables,
    error: {
      code: 'PartialError',
      message: 'There were some errors when processing your query.',
      details: [
        {
          code: 'EngineError',
          message: 'Something went wrong processing your query on the server.',
          innererror: {
            code: '-2133196797',
            message: 'Partial query failure: Low memory condition (E_LOW_MEMORY_CONDITION)',
          },
        },
      ],
    },
  };
}

/** Logs Ingestion 413 for a request body over 1,048,576 bytes. */
function ingestionTooLarge(providedLength) {
  return {
    error: {
      code: 'ContentLengthLimitExceeded',
      message: `Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: ${providedLength} bytes.`,
    },
  };
}

/**
 * Logs Ingestion 403 while the Monitoring Metrics Publisher role is missing or
 * not yet propagated. The real message goes on with more fields after
 * `IsRbacPresent`; this copy stops there.
 */
function ingestionForbidden(dcrImmutableId) {
  return {
    error: {
      code: 'OperationFailed',
      message:
        'The authentication token provided does not have access to ingest data for the data collection rule ' +
        `with immutable Id '${dcrImmutableId}' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False`,
    },
  };
}

/** A sign-in page that a Microsoft endpoint served with status 200 instead of JSON. */
const SIGN_IN_HTML = [
  '<!DOCTYPE html>',
  '<html dir="ltr" lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">',
  '<title>Sign in to Outlook</title></head>',
  '<body><form name="f1" method="post" action="/common/login"><div>Sign in</div>',
  '<input type="email" name="loginfmt" placeholder="Email, phone, or Skype"></form></body></html>',
  '',
].join('\n');

module.exports = {
  GRAPH_401_NO_SERVICE_PRINCIPAL,
  GRAPH_400_POISONED_SKIPTOKEN,
  GRAPH_POISONED_SKIPTOKEN_DECODED,
  QUERY_FUZZY_UNION_NO_TABLE,
  queryMissingTable,
  queryPartialError,
  ingestionTooLarge,
  ingestionForbidden,
  SIGN_IN_HTML,
};
