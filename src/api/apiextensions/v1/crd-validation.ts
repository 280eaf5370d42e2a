// Validation of CustomResourceDefinitions as upstream's apiextensions validation does it for
// apiextensions.k8s.io/v1 requests, with its field paths and messages. Upstream validates the
// internal form, into which a v1 CRD converts by hoisting per-version schema, subresources and
// printer columns to spec.validation / spec.subresources / spec.additionalPrinterColumns when
// every version carries the same value; errors about them then name the hoisted path (a
// single-version CRD reports "spec.validation.openAPIV3Schema..."). Webhook conversion
// client configs, selectable fields and the api-approved annotation are not checked.

import type { StatusCause } from '../../../machinery/status.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../machinery/validation.ts';
import type { KubeObject } from '../../kind.ts';
import { forbidden, invalid, notSupported, required, semanticEqual, validateImmutableField } from '../../meta/v1/field.ts';
import { arr, isObject, obj as asObject, optStr, str as asString, type JSONObject } from '../../meta/v1/unstructured.ts';
import { structuralSchemaErrors } from './structural-schema.ts';

const printerColumnDatatypes = ['boolean', 'date', 'integer', 'number', 'string'];
const printerColumnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const acceptedConversionReviewVersions = ['v1', 'v1beta1'];

function validateEnumStrings(field: string, value: string, accepted: string[]): StatusCause[] {
  if (value === '') return [required(field)];
  return accepted.includes(value) ? [] : [notSupported(field, value, accepted)];
}

/** Where each per-version field lives after v1 -> internal conversion. */
interface Hoisting {
  schema: boolean;
  subresources: boolean;
  columns: boolean;
}

function hoisting(versions: JSONObject[]): Hoisting {
  const same = (key: string) => versions.length > 0 && versions.every((v) => semanticEqual(v[key], versions[0]![key]));
  return { schema: same('schema'), subresources: same('subresources'), columns: same('additionalPrinterColumns') };
}

export function validateCustomResourceDefinitionNames(names: JSONObject, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const joined = (value: string) => isDNS1035Label(value).join(',');
  const plural = asString(names.plural);
  if (plural !== '' && joined(plural)) errs.push(invalid(`${path}.plural`, plural, joined(plural)));
  const singular = asString(names.singular);
  if (singular !== '' && joined(singular)) errs.push(invalid(`${path}.singular`, singular, joined(singular)));
  const kind = asString(names.kind);
  if (kind !== '' && joined(kind.toLowerCase())) errs.push(invalid(`${path}.kind`, kind, `may have mixed case, but should otherwise match: ${joined(kind.toLowerCase())}`));
  const listKind = asString(names.listKind);
  if (listKind !== '' && joined(listKind.toLowerCase())) {
    errs.push(invalid(`${path}.listKind`, listKind, `may have mixed case, but should otherwise match: ${joined(listKind.toLowerCase())}`));
  }
  arr(names.shortNames).forEach((s, i) => {
    const shortName = asString(s);
    if (joined(shortName)) errs.push(invalid(`${path}.shortNames[${i}]`, shortName, joined(shortName)));
  });
  if (kind !== '' && kind === listKind) errs.push(invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  arr(names.categories).forEach((c, i) => {
    const category = asString(c);
    if (joined(category)) errs.push(invalid(`${path}.categories[${i}]`, category, joined(category)));
  });
  return errs;
}

function validateSimpleJSONPath(value: string, path: string): StatusCause[] {
  if (value === '') return [invalid(path, value, 'must not be empty')];
  if (!value.startsWith('.')) return [invalid(path, value, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(subresources: unknown, path: string): StatusCause[] {
  const scale = asObject(subresources).scale;
  if (!isObject(scale)) return [];
  const errs: StatusCause[] = [];
  const check = (key: string, prefixes: string[], message: string) => {
    const field = `${path}.scale.${key}`;
    const value = asString(scale[key]);
    const syntax = validateSimpleJSONPath(value, field);
    if (syntax.length > 0) errs.push(...syntax);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push(invalid(field, value, message));
  };
  if (asString(scale.specReplicasPath) === '') errs.push(required(`${path}.scale.specReplicasPath`));
  else check('specReplicasPath', ['.spec.'], 'should be a json path under .spec');
  if (asString(scale.statusReplicasPath) === '') errs.push(required(`${path}.scale.statusReplicasPath`));
  else check('statusReplicasPath', ['.status.'], 'should be a json path under .status');
  if (asString(scale.labelSelectorPath) !== '') check('labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status');
  return errs;
}

function validateColumn(value: unknown, path: string): StatusCause[] {
  const column = asObject(value);
  const errs: StatusCause[] = [];
  if (asString(column.name) === '') errs.push(required(`${path}.name`));
  const type = asString(column.type);
  const types = `must be one of ${printerColumnDatatypes.join(',')}`;
  if (type === '') errs.push(required(`${path}.type`, types));
  else if (!printerColumnDatatypes.includes(type)) errs.push(invalid(`${path}.type`, type, types));
  const format = asString(column.format);
  if (format !== '' && !printerColumnFormats.includes(format)) errs.push(invalid(`${path}.format`, format, `must be one of ${printerColumnFormats.join(',')}`));
  const jsonPath = asString(column.jsonPath);
  if (jsonPath === '') errs.push(required(`${path}.JSONPath`));
  else errs.push(...validateSimpleJSONPath(jsonPath, `${path}.JSONPath`));
  return errs;
}

function validateColumns(columns: unknown, path: string): StatusCause[] {
  return arr(columns).flatMap((column, i) => validateColumn(column, `${path}[${i}]`));
}

function validateSchema(validation: unknown, path: string): StatusCause[] {
  const schema = asObject(validation).openAPIV3Schema;
  return isObject(schema) ? structuralSchemaErrors(schema, `${path}.openAPIV3Schema`) : [];
}

function validateDeprecationWarning(version: JSONObject, path: string): StatusCause[] {
  const warning = optStr(version.deprecationWarning);
  if (warning === undefined) return [];
  if (version.deprecated !== true) return [invalid(`${path}.deprecationWarning`, warning, 'can only be set for deprecated versions')];
  const errs: StatusCause[] = [];
  if (Buffer.byteLength(warning) > 256) errs.push(invalid(`${path}.deprecationWarning`, warning, 'must be <= 256 characters long'));
  if (warning.length === 0) errs.push(invalid(`${path}.deprecationWarning`, warning, 'must not be an empty string'));
  return errs;
}

function validateConversion(conversion: unknown, preserveUnknownFields: boolean): StatusCause[] {
  if (!isObject(conversion)) return [];
  const errs: StatusCause[] = [];
  const strategy = asString(conversion.strategy);
  if (strategy !== 'None' && preserveUnknownFields) errs.push(invalid('spec.conversion.strategy', strategy, 'must be None if spec.preserveUnknownFields is true'));
  errs.push(...validateEnumStrings('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  const webhook = asObject(conversion.webhook);
  const clientConfig = webhook.clientConfig;
  const reviewVersions = arr(webhook.conversionReviewVersions);
  if (strategy === 'Webhook') {
    if (!isObject(clientConfig)) {
      errs.push(required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    } else if ((clientConfig.url === undefined) === (clientConfig.service === undefined)) {
      errs.push(required('spec.conversion.webhookClientConfig', 'exactly one of url or service is required'));
    }
    if (reviewVersions.length === 0) {
      errs.push(required('spec.conversion.conversionReviewVersions'));
    } else {
      const seen = new Set<string>();
      reviewVersions.forEach((v, i) => {
        const version = asString(v);
        const field = `spec.conversion.conversionReviewVersions[${i}]`;
        if (seen.has(version)) {
          errs.push(invalid(field, version, 'duplicate version'));
          return;
        }
        seen.add(version);
        for (const msg of isDNS1035Label(version)) errs.push(invalid(field, version, msg));
      });
      if (![...seen].some((v) => acceptedConversionReviewVersions.includes(v))) {
        errs.push(invalid('spec.conversion.conversionReviewVersions', [...reviewVersions], `must include at least one of ${acceptedConversionReviewVersions.join(', ')}`));
      }
    }
  } else {
    if (isObject(clientConfig)) errs.push(forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions.length > 0) errs.push(forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateSpec(spec: JSONObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const group = asString(spec.group);
  if (group === '') errs.push(required('spec.group'));
  else if (isDNS1123Subdomain(group).length > 0) errs.push(invalid('spec.group', group, isDNS1123Subdomain(group).join(',')));
  else if (group.split('.').length < 2) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  errs.push(...validateEnumStrings('spec.scope', asString(spec.scope), ['Cluster', 'Namespaced']));

  const versions = arr(spec.versions).map(asObject);
  const hoisted = hoisting(versions);
  const topValidation = hoisted.schema ? versions[0]?.schema : undefined;
  if (!isObject(asObject(topValidation).openAPIV3Schema)) {
    versions.forEach((v, i) => {
      if (hoisted.schema || !isObject(asObject(v.schema).openAPIV3Schema)) {
        errs.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
      }
    });
  }

  let storageCount = 0;
  const names = new Set<string>();
  let unique = true;
  versions.forEach((version, i) => {
    const path = `spec.versions[${i}]`;
    if (version.storage === true) storageCount++;
    const name = asString(version.name);
    if (names.has(name)) unique = false;
    names.add(name);
    const nameErrs = isDNS1035Label(name);
    if (nameErrs.length > 0) errs.push(invalid(`${path}.name`, name, nameErrs.join(',')));
    errs.push(...validateDeprecationWarning(version, path));
    if (!hoisted.schema) errs.push(...validateSchema(version.schema, `${path}.schema`));
    if (!hoisted.subresources) errs.push(...validateSubresources(version.subresources, `${path}.subresources`));
    if (!hoisted.columns) errs.push(...validateColumns(version.additionalPrinterColumns, `${path}.additionalPrinterColumns`));
  });
  if (!unique) errs.push(invalid('spec.versions', versions, 'must contain unique version names'));
  if (storageCount !== 1) errs.push(invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  // The internal form also carries versions[0].name as spec.version, and checks it again.
  if (versions.length > 0) {
    const first = asString(versions[0]!.name);
    if (first !== '' && isDNS1035Label(first).length > 0) errs.push(invalid('spec.version', first, isDNS1035Label(first).join(',')));
  }

  const specNames = asObject(spec.names);
  for (const key of ['plural', 'singular', 'kind', 'listKind']) if (asString(specNames[key]) === '') errs.push(required(`spec.names.${key}`));
  errs.push(...validateCustomResourceDefinitionNames(specNames, 'spec.names'));
  if (hoisted.schema) errs.push(...validateSchema(topValidation, 'spec.validation'));
  if (hoisted.subresources) errs.push(...validateSubresources(versions[0]?.subresources, 'spec.subresources'));
  if (hoisted.columns) errs.push(...validateColumns(versions[0]?.additionalPrinterColumns, 'spec.additionalPrinterColumns'));
  errs.push(...validateConversion(spec.conversion, spec.preserveUnknownFields === true));
  return errs;
}

function validateStoredVersions(object: KubeObject): StatusCause[] {
  const stored = arr(asObject(object.status).storedVersions).map(asString);
  if (stored.length === 0) return [invalid('status.storedVersions', stored, 'must have at least one stored version')];
  const errs: StatusCause[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const version of arr(asObject(object.spec).versions).map(asObject)) {
    const name = asString(version.name);
    if (version.storage === true && !remaining.has(name)) errs.push(invalid('status.storedVersions', version, `must have the storage version ${name}`));
    remaining.delete(name);
  }
  for (const [v, i] of remaining) errs.push(invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'));
  return errs;
}

/** ValidateCustomResourceDefinition (create, and the part of update that re-checks the whole object). */
export function validateCustomResourceDefinition(object: KubeObject): StatusCause[] {
  const spec = asObject(object.spec);
  const errs: StatusCause[] = [];
  const name = object.metadata?.name ?? '';
  if (name !== `${asString(asObject(spec.names).plural)}.${asString(spec.group)}`) {
    errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  errs.push(...validateSpec(spec));
  errs.push(...validateCustomResourceDefinitionNames(asObject(asObject(object.status).acceptedNames), 'status.acceptedNames'));
  errs.push(...validateStoredVersions(object));
  if (spec.preserveUnknownFields === true) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

function isEstablished(object: KubeObject): boolean {
  return arr(asObject(object.status).conditions).some((c) => isObject(c) && c.type === 'Established' && c.status === 'True');
}

/** What only an update checks: the names that address stored objects never change. */
export function validateCustomResourceDefinitionUpdate(object: KubeObject, old: KubeObject): StatusCause[] {
  const spec = asObject(object.spec);
  const oldSpec = asObject(old.spec);
  const errs: StatusCause[] = [];
  if (isEstablished(old)) {
    errs.push(...validateImmutableField(spec.scope, oldSpec.scope, 'spec.scope'));
    errs.push(...validateImmutableField(asObject(spec.names).kind, asObject(oldSpec.names).kind, 'spec.names.kind'));
  }
  errs.push(...validateImmutableField(spec.group, oldSpec.group, 'spec.group'));
  errs.push(...validateImmutableField(asObject(spec.names).plural, asObject(oldSpec.names).plural, 'spec.names.plural'));
  return errs;
}
