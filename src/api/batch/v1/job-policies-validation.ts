// Validation of a JobSpec's podFailurePolicy and successPolicy, with upstream's limits, field
// paths and messages: at most 20 rules each; a pod failure rule has a known action (FailIndex
// only with backoffLimitPerIndex) and exactly one of onExitCodes (operator In or NotIn, values
// non-empty, ordered, unique, no 0 for In, containerName naming a container of the template) and
// onPodConditions (qualified condition types, status True/False/Unknown); a success rule has
// succeededIndexes (an increasing index list within completions) and/or succeededCount (at most
// completions, and at most the number of those indexes).

import type { StatusCause } from '../../../machinery/status.ts';
import { duplicate, goQuote, invalid, nonNegative, notSupported, omitValue, required, tooLong, tooMany } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { isRecord, rec, records, str } from '../../core/v1/json.ts';
import { isQualifiedName } from '../../core/v1/names.ts';

const maxPodFailurePolicyRules = 20;
const maxOnExitCodesValues = 255;
const maxOnPodConditionsPatterns = 20;
const maxSuccessPolicyRules = 20;
const maxSucceededIndexesLength = 64 * 1024;

const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const operators = ['In', 'NotIn'];
const conditionStatuses = ['False', 'True', 'Unknown'];

/** Go's %q of a string list: ["a" "b"]. */
const quotedList = (values: readonly string[]) => `[${values.map(goQuote).join(' ')}]`;

function containerNames(spec: JSONObject): Set<string> {
  const podSpec = rec(rec(spec.template).spec);
  return new Set([...records(podSpec.containers), ...records(podSpec.initContainers)].map((c) => str(c.name)));
}

function validateOnExitCodes(req: JSONObject, path: string, names: ReadonlySet<string>): StatusCause[] {
  const errs: StatusCause[] = [];
  const operator = req.operator;
  if (operator === undefined || operator === null || operator === '') errs.push(required(`${path}.operator`, `valid values: ${quotedList(operators)}`));
  else if (!operators.includes(String(operator))) errs.push(notSupported(`${path}.operator`, operator, operators));
  if (req.containerName !== undefined && req.containerName !== null && !names.has(str(req.containerName)))
    errs.push(invalid(`${path}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template'));
  const valuesPath = `${path}.values`;
  const values = Array.isArray(req.values) ? (req.values as unknown[]) : [];
  if (values.length === 0) errs.push(invalid(valuesPath, req.values ?? null, 'at least one value is required'));
  else if (values.length > maxOnExitCodesValues) errs.push(tooMany(valuesPath, values.length, maxOnExitCodesValues));
  const seen = new Set<unknown>();
  let ordered = true;
  values.forEach((v, j) => {
    if (operator === 'In' && v === 0) errs.push(invalid(`${valuesPath}[${j}]`, v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(duplicate(`${valuesPath}[${j}]`, v));
    else seen.add(v);
    if (j > 0 && (values[j - 1] as number) > (v as number)) ordered = false;
  });
  if (!ordered) errs.push(invalid(valuesPath, values, 'must be ordered'));
  return errs;
}

function validateOnPodConditions(patterns: JSONObject[], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (patterns.length > maxOnPodConditionsPatterns) errs.push(tooMany(path, patterns.length, maxOnPodConditionsPatterns));
  patterns.forEach((pattern, j) => {
    const p = `${path}[${j}]`;
    const type = str(pattern.type);
    for (const m of isQualifiedName(type)) errs.push(invalid(`${p}.type`, type, m));
    const status = pattern.status;
    if (status === undefined || status === null || status === '') errs.push(required(`${p}.status`, `valid values: ${quotedList(conditionStatuses)}`));
    else if (!conditionStatuses.includes(String(status))) errs.push(notSupported(`${p}.status`, status, conditionStatuses));
  });
  return errs;
}

export function validatePodFailurePolicy(spec: JSONObject, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const rules = records(rec(spec.podFailurePolicy).rules);
  if (rules.length > maxPodFailurePolicyRules) errs.push(tooMany(`${path}.rules`, rules.length, maxPodFailurePolicyRules));
  const names = containerNames(spec);
  rules.forEach((rule, i) => {
    const p = `${path}.rules[${i}]`;
    const action = str(rule.action);
    if (!action) errs.push(required(`${p}.action`, `valid values: ${quotedList(actions)}`));
    else if (action === 'FailIndex') {
      if (typeof spec.backoffLimitPerIndex !== 'number') errs.push(invalid(`${p}.action`, action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!actions.includes(action)) errs.push(notSupported(`${p}.action`, rule.action, actions));
    const hasExitCodes = isRecord(rule.onExitCodes);
    const patterns = records(rule.onPodConditions);
    if (hasExitCodes) errs.push(...validateOnExitCodes(rule.onExitCodes as JSONObject, `${p}.onExitCodes`, names));
    if (patterns.length > 0) errs.push(...validateOnPodConditions(patterns, `${p}.onPodConditions`));
    if (hasExitCodes && patterns.length > 0) errs.push(invalid(p, omitValue, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!hasExitCodes && patterns.length === 0) errs.push(invalid(p, omitValue, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

/** strconv.Atoi of an index bound. */
function atoi(text: string): number | undefined {
  return /^[+]?\d+$/.test(text) ? Number(text) : undefined;
}

/** The number of indexes in a list such as "1,3-5", or the reason it is malformed. */
export function indexesFormat(text: string, completions: number): { total: number; error?: string } {
  if (text === '') return { total: 0 };
  let total = 0;
  let previous: number | undefined;
  for (const part of text.split(',')) {
    const limits = part.split('-');
    if (limits.length > 2) return { total: 0, error: `the fragment ${goQuote(part)} violates the requirement that an index interval can have at most two parts separated by '-'` };
    const bounds: number[] = [];
    for (const limit of limits) {
      const n = atoi(limit);
      if (n === undefined) return { total: 0, error: `cannot convert string to integer for index: ${goQuote(limit)}` };
      if (n >= completions) return { total: 0, error: `too large index: ${goQuote(limit)}` };
      bounds.push(n);
    }
    const [first, last = first] = bounds;
    if (bounds.length === 2 && first >= last) return { total: 0, error: `non-increasing order, previous: ${first}, current: ${last}` };
    if (previous !== undefined && previous >= first) return { total: 0, error: `non-increasing order, previous: ${previous}, current: ${first}` };
    total += last - first + 1;
    previous = last;
  }
  return { total };
}

export function validateSuccessPolicy(spec: JSONObject, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const rulesPath = `${path}.rules`;
  const rules = records(rec(spec.successPolicy).rules);
  if (rules.length === 0) errs.push(required(rulesPath, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > maxSuccessPolicyRules) errs.push(tooMany(rulesPath, rules.length, maxSuccessPolicyRules));
  const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
  rules.forEach((rule, i) => {
    const p = `${rulesPath}[${i}]`;
    const hasIndexes = typeof rule.succeededIndexes === 'string';
    const count = rule.succeededCount;
    const hasCount = typeof count === 'number';
    if (!hasIndexes && !hasCount) errs.push(required(p, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (hasIndexes) {
      const indexes = rule.succeededIndexes as string;
      if (indexes.length > maxSucceededIndexesLength) errs.push(tooLong(`${p}.succeededIndexes`, maxSucceededIndexesLength));
      const format = indexesFormat(indexes, completions ?? Infinity);
      total = format.total;
      if (format.error) errs.push(invalid(`${p}.succeededIndexes`, indexes, `error parsing succeededIndexes: ${format.error}`));
    }
    if (hasCount) {
      errs.push(...nonNegative(count, `${p}.succeededCount`));
      if (completions !== undefined && count > completions)
        errs.push(invalid(`${p}.succeededCount`, count, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (hasIndexes && count > total)
        errs.push(invalid(`${p}.succeededCount`, count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
    }
  });
  return errs;
}
