// Server-side printing of custom resources, as apiextensions-apiserver's tableconvertor:
// Name first, then one column per additionalPrinterColumn (or upstream's default single
// "Age" column when a version declares none). Each cell is the first JSONPath result;
// "date" cells become ages ("5m") on the server, "integer"/"number"/"boolean" keep the
// JSON type when it matches (null otherwise), "string" cells print any value (objects and
// lists as JSON). A missing value is a null cell (kubectl shows <none>).

import type { ColumnDefinition, KubeObject, TableConvertor } from '../../api/kind.ts';
import { creationTimestampDescription, humanDuration } from '../../api/meta/v1/age.ts';
import { nameColumn } from '../handlers/table.ts';
import { compileJSONPath, type JSONPath } from './jsonpath.ts';

/** apiextensions/v1 CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const defaultColumns: PrinterColumn[] = [{ name: 'Age', type: 'date', description: creationTimestampDescription, jsonPath: '.metadata.creationTimestamp' }];

const columnTypes = new Set<string>(['string', 'integer', 'number', 'boolean', 'date']);

export function printerColumnsTable(crdColumns: PrinterColumn[] | undefined): TableConvertor {
  const declared = crdColumns && crdColumns.length > 0 ? crdColumns : defaultColumns;
  const columns: ColumnDefinition[] = [nameColumn];
  const paths: (JSONPath | undefined)[] = [];
  for (const col of declared) {
    let path: JSONPath | undefined;
    try {
      path = compileJSONPath(col.jsonPath);
    } catch {
      // Upstream refuses to serve a table with an unparsable column; its cells stay empty here.
      path = undefined;
    }
    paths.push(path);
    columns.push({
      name: col.name,
      type: (columnTypes.has(col.type) ? col.type : 'string') as ColumnDefinition['type'],
      ...(col.format ? { format: col.format } : {}),
      description: col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      priority: col.priority ?? 0,
    });
  }
  return {
    columns,
    cells(object: KubeObject, now: number): unknown[] {
      const cells: unknown[] = [object.metadata?.name ?? ''];
      declared.forEach((col, i) => {
        const results = paths[i]?.find(object) ?? [];
        cells.push(results.length === 0 ? null : cell(col.type, results[0], now));
      });
      return cells;
    },
  };
}

/** One cell as upstream's cellForJSONValue (and PrintResults for strings) makes it. */
export function cell(type: string, value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return printValue(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return '<invalid>';
      const t = Date.parse(value);
      if (Number.isNaN(t)) return '<invalid>';
      if (/^0001-01-01T00:00:00(\.0+)?Z$/.test(value)) return '<unknown>';
      return humanDuration(now - t);
    }
    default:
      return null;
  }
}

/** jsonpath's PrintResults: scalars as Go's fmt.Fprint prints them, maps and lists as JSON. */
function printValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  return goJSON(value);
}

/** Go's %v of an int64 or float64 from decoded JSON. */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    // Go writes at least two exponent digits: 1e-05, 1e+21.
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** encoding/json of a decoded value: map keys sorted. */
function goJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJSON).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goJSON(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
