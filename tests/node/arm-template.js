'use strict';

// Reads ARM templates for structural tests. It parses template language
// expressions ("[...]") and evaluates the functions that deploy/azuredeploy.json
// uses, so that a test can see the values a deployment would produce. Values
// that exist only in Azure (reference(), tenant()) come back as placeholders. Nested deployments are followed when their
// expressionEvaluationOptions.scope is "inner", the only kind the template uses.

const crypto = require('node:crypto');

/**
 * Template functions documented in the ARM template functions reference. An
 * expression that calls any other name is a typo that ARM would reject.
 */
const KNOWN_FUNCTIONS = new Set([
  'add', 'and', 'array', 'base64', 'bool', 'coalesce', 'concat', 'contains', 'createArray', 'createObject',
  'dataUri', 'dateTimeAdd', 'deployment', 'div', 'empty', 'endsWith', 'environment', 'equals',
  'extensionResourceId', 'false', 'filter', 'first', 'format', 'greater', 'greaterOrEquals', 'guid', 'if',
  'indexOf', 'int', 'intersection', 'items', 'json', 'last', 'lastIndexOf', 'length', 'less', 'lessOrEquals',
  'list', 'listKeys', 'managementGroup', 'map', 'max', 'min', 'mod', 'mul', 'newGuid', 'not', 'null', 'or',
  'padLeft', 'parameters', 'pickZones', 'range', 'reference', 'replace', 'resourceGroup', 'resourceId',
  'skip', 'split', 'startsWith', 'string', 'sub', 'subscription', 'subscriptionResourceId', 'substring',
  'take', 'tenant', 'tenantResourceId', 'toLower', 'toUpper', 'trim', 'true', 'union', 'uniqueString',
  'uri', 'utcNow', 'variables',
]);

/** A value that only exists once Azure deploys the template. */
class Placeholder {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return `<${this.text}>`;
  }
}

function isExpression(value) {
  return typeof value === 'string' && value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** Parses the text of one expression, brackets included, into a syntax tree. */
function parseExpression(text) {
  if (!isExpression(text)) throw new Error(`not an ARM expression: ${text}`);
  const source = text.slice(1, -1);
  let at = 0;

  const skipSpace = () => {
    while (at < source.length && /\s/.test(source[at])) at++;
  };
  const expect = (char) => {
    skipSpace();
    if (source[at] !== char) throw new Error(`expected '${char}' at ${at} in ${text}`);
    at++;
  };

  function parsePrimary() {
    skipSpace();
    if (source[at] === "'") {
      let value = '';
      at++;
      for (;;) {
        if (at >= source.length) throw new Error(`unterminated string in ${text}`);
        if (source[at] === "'") {
          if (source[at + 1] === "'") {
            value += "'";
            at += 2;
            continue;
          }
          at++;
          return { kind: 'string', value };
        }
        value += source[at++];
      }
    }

    const number = /^-?\d+/.exec(source.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }

    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at));
    if (!name) throw new Error(`unexpected '${source[at]}' at ${at} in ${text}`);
    at += name[0].length;

    expect('(');
    const args = [];
    skipSpace();
    if (source[at] === ')') {
      at++;
    } else {
      for (;;) {
        args.push(parseValue());
        skipSpace();
        if (source[at] === ',') {
          at++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: name[0], args };
  }

  function parseValue() {
    let node = parsePrimary();
    for (;;) {
      skipSpace();
      if (source[at] === '.') {
        at++;
        const property = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at));
        if (!property) throw new Error(`expected a property name at ${at} in ${text}`);
        at += property[0].length;
        node = { kind: 'member', object: node, property: property[0] };
      } else if (source[at] === '[') {
        at++;
        const index = parseValue();
        expect(']');
        node = { kind: 'index', object: node, index };
      } else {
        return node;
      }
    }
  }

  const tree = parseValue();
  skipSpace();
  if (at !== source.length) throw new Error(`unexpected text after position ${at} in ${text}`);
  return tree;
}

/** Collects every function call in a syntax tree. */
function calls(tree, found = []) {
  if (tree.kind === 'call') {
    found.push(tree);
    tree.args.forEach((arg) => calls(arg, found));
  } else if (tree.kind === 'member') {
    calls(tree.object, found);
  } else if (tree.kind === 'index') {
    calls(tree.object, found);
    calls(tree.index, found);
  }
  return found;
}

function isInnerDeployment(resource) {
  return (
    resource.type === 'Microsoft.Resources/deployments' &&
    resource.properties?.template !== undefined &&
    resource.properties?.expressionEvaluationOptions?.scope === 'inner'
  );
}

/**
 * Lists every expression with the template whose parameters and variables it
 * reads: the expressions of a nested template read that template's own.
 */
function expressionsByTemplate(template, path = '$') {
  const found = [];
  const visit = (value, where) => {
    if (isExpression(value)) {
      found.push({ template, path: where, text: value });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${where}[${i}]`));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'template' && where.endsWith('.properties')) continue;
        visit(item, `${where}.${key}`);
      }
    }
  };
  visit(template, path);
  (template.resources ?? []).forEach((resource, i) => {
    if (isInnerDeployment(resource)) {
      found.push(...expressionsByTemplate(resource.properties.template, `${path}.resources[${i}].properties.template`));
    }
  });
  return found;
}

function fakeHash(args, length) {
  return crypto.createHash('sha256').update(JSON.stringify(args.map(String))).digest('hex').slice(0, length);
}

function splitResourceIdArgs(args) {
  const typeAt = args.findIndex((arg) => typeof arg === 'string' && /^[A-Za-z0-9]+\.[A-Za-z0-9.]+\/[A-Za-z]/.test(arg));
  if (typeAt < 0) throw new Error(`resourceId() without a resource type: ${args.join(', ')}`);
  const [namespace, ...types] = args[typeAt].split('/');
  const names = args.slice(typeAt + 1);
  if (names.length !== types.length) {
    throw new Error(`resourceId() for ${args[typeAt]} needs ${types.length} names, got ${names.length}`);
  }
  const segments = types.map((type, i) => `${type}/${names[i]}`).join('/');
  return { scopeArgs: args.slice(0, typeAt), path: `providers/${namespace}/${segments}` };
}

/**
 * One template with the values of its parameters: the top-level template, or
 * a nested one whose parameter values are expressions of its parent.
 */
class Scope {
  constructor(template, { parameters = {}, parent = null, subscriptionId, resourceGroup, location } = {}) {
    this.template = template;
    this.parameterValues = parameters;
    this.parent = parent;
    this.subscriptionId = subscriptionId;
    this.resourceGroup = resourceGroup;
    this.location = location;
    this.variableCache = new Map();
  }

  /** Evaluates every expression inside a value; property names stay literal, as in ARM. */
  evaluate(value) {
    if (isExpression(value)) return this.evaluateTree(parseExpression(value));
    if (typeof value === 'string' && value.startsWith('[[')) return value.slice(1);
    if (Array.isArray(value)) return value.map((item) => this.evaluate(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.evaluate(item)]));
    }
    return value;
  }

  parameter(name) {
    if (Object.hasOwn(this.parameterValues, name)) return this.parameterValues[name]();
    const declared = this.template.parameters?.[name];
    if (!declared) throw new Error(`parameters('${name}') is not declared`);
    if (!Object.hasOwn(declared, 'defaultValue')) throw new Error(`parameters('${name}') has no value and no default`);
    return this.evaluate(declared.defaultValue);
  }

  variable(name) {
    if (!Object.hasOwn(this.template.variables ?? {}, name)) throw new Error(`variables('${name}') is not declared`);
    if (!this.variableCache.has(name)) this.variableCache.set(name, this.evaluate(this.template.variables[name]));
    return this.variableCache.get(name);
  }

  /** Returns the scope of a nested deployment resource declared in this template. */
  child(resource) {
    if (!isInnerDeployment(resource)) throw new Error(`${resource.name} is not a nested deployment with inner scope`);
    const parameters = {};
    for (const [name, entry] of Object.entries(resource.properties.parameters ?? {})) {
      parameters[name] = () => this.evaluate(entry.value);
    }
    return new Scope(resource.properties.template, {
      parameters,
      parent: this,
      subscriptionId: resource.subscriptionId ? this.evaluate(resource.subscriptionId) : this.subscriptionId,
      resourceGroup: resource.resourceGroup ? this.evaluate(resource.resourceGroup) : this.resourceGroup,
      location: this.location,
    });
  }

  resourceGroupId() {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}`;
  }

  evaluateTree(tree) {
    switch (tree.kind) {
      case 'string':
      case 'number':
        return tree.value;
      case 'member': {
        const object = this.evaluateTree(tree.object);
        if (object instanceof Placeholder) return new Placeholder(`${object.text}.${tree.property}`);
        if (object === null || typeof object !== 'object' || !Object.hasOwn(object, tree.property)) {
          throw new Error(`no property '${tree.property}' on ${JSON.stringify(object)}`);
        }
        return object[tree.property];
      }
      case 'index': {
        const object = this.evaluateTree(tree.object);
        const index = this.evaluateTree(tree.index);
        if (object instanceof Placeholder) return new Placeholder(`${object.text}[${index}]`);
        if (object === null || typeof object !== 'object' || !Object.hasOwn(object, index)) {
          throw new Error(`no element [${index}] in ${JSON.stringify(object)}`);
        }
        return object[index];
      }
      case 'call':
        return this.call(tree.name, tree.args);
      default:
        throw new Error(`unknown syntax node ${tree.kind}`);
    }
  }

  call(name, argTrees) {
    const args = argTrees.map((arg) => this.evaluateTree(arg));
    switch (name) {
      case 'parameters':
        return this.parameter(args[0]);
      case 'variables':
        return this.variable(args[0]);
      case 'concat':
        if (args.every(Array.isArray)) return args.flat();
        return args.map(String).join('');
      case 'format':
        return String(args[0]).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i) + 1]));
      case 'toLower':
        return String(args[0]).toLowerCase();
      case 'take':
        return args[0].slice(0, args[1]);
      case 'split':
        return String(args[0]).split(args[1]);
      case 'uniqueString':
        return fakeHash(args, 13);
      case 'guid': {
        const hex = fakeHash(args, 32);
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      case 'resourceGroup':
        return { id: this.resourceGroupId(), name: this.resourceGroup, location: this.location };
      case 'tenant':
        return new Placeholder('tenant()');
      case 'environment':
        return { name: 'AzureCloud', suffixes: { storage: 'core.windows.net' } };
      case 'reference':
        return new Placeholder(`reference(${args[0]})`);
      case 'resourceId': {
        const { scopeArgs, path } = splitResourceIdArgs(args);
        const subscriptionId = scopeArgs.length === 2 ? scopeArgs[0] : this.subscriptionId;
        const resourceGroup = scopeArgs.length >= 1 ? scopeArgs[scopeArgs.length - 1] : this.resourceGroup;
        return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/${path}`;
      }
      case 'subscriptionResourceId': {
        const { scopeArgs, path } = splitResourceIdArgs(args);
        const subscriptionId = scopeArgs.length === 1 ? scopeArgs[0] : this.subscriptionId;
        return `/subscriptions/${subscriptionId}/${path}`;
      }
      default:
        throw new Error(`${name}() is not implemented by the test evaluator`);
    }
  }
}

/** Lists every resource with the scope that evaluates it, nested templates included. */
function resourcesIn(scope) {
  const found = [];
  for (const resource of scope.template.resources ?? []) {
    found.push({ resource, scope });
    if (isInnerDeployment(resource)) found.push(...resourcesIn(scope.child(resource)));
  }
  return found;
}

module.exports = {
  KNOWN_FUNCTIONS,
  Placeholder,
  Scope,
  calls,
  expressionsByTemplate,
  isExpression,
  parseExpression,
  resourcesIn,
};
