// Message descriptors for the Kubernetes protobuf encoding, and the compact notation the tables in
// messages-*.ts are written in. parseMessage either returns a complete descriptor or throws, so a typo in
// a table fails the first decode (and messages.test.ts) rather than silently dropping a field.
//
// A message is a list of field specs, `'<number> <json> <type>[!|?]'`:
//   json   the JSON name (the Go `json:` tag). `...` marks an embedded Go struct whose fields JSON inlines
//          into this object (Probe's ProbeHandler, Volume's VolumeSource). `[]` marks a Go named slice
//          (`type ExtraValue []string`): the message's JSON is that list itself.
//   type   `string` `bool` `int32` `int64` `bytes` (base64 in JSON), a message (`Container` in the same
//          package, `meta.ObjectMeta` in another), `[]T` for repeated, `map<K,V>` for a map.
//   !      JSON keeps this field when it is zero (a Go pointer, or a field without omitempty). Go's generated
//          marshallers write non-pointer scalars even when zero, and JSON drops them unless marked `!`
//          (`replicas`, `containerPort`). A list, map or pointer message marked `!` that is absent from the
//          wire is null in JSON (`rules`, `selector`), as Go's encoding/json writes a nil one.
//   ?      Go `omitzero` on a message field: a zero value (null or {}) is left out.

export type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/** Messages whose JSON form is not an object of their fields; decode.ts knows each one. */
export const specialMessages = [
  'meta.Time',
  'meta.MicroTime',
  'meta.Duration',
  'meta.FieldsV1',
  'intstr.IntOrString',
  'resource.Quantity',
  'runtime.RawExtension',
] as const;
export type SpecialMessage = (typeof specialMessages)[number];

export type ValueType = { scalar: Scalar } | { message: string };

export type FieldDescriptor = {
  number: number;
  /** JSON name; empty for an inlined (`...`) or list (`[]`) field. */
  json: string;
  inline: boolean;
  list: boolean;
  cardinality: 'single' | 'repeated' | 'map';
  /** Map key type. */
  key?: Scalar;
  value: ValueType;
  /** `!`: a zero scalar stays in JSON; an absent list, map or message is null. */
  keepZero: boolean;
  /** `?`: a zero message (null or {}) is left out of JSON. */
  omitZero: boolean;
};

export type MessageDescriptor = {
  /** Qualified name, e.g. `apps.Deployment`. */
  name: string;
  fields: ReadonlyMap<number, FieldDescriptor>;
  /** A Go named slice: JSON is the list in field 1. */
  list: boolean;
};

/** Messages of one proto package by short name; refs without a package resolve within it. */
export type MessageTable = Readonly<Record<string, readonly string[]>>;

const scalars: ReadonlySet<string> = new Set<Scalar>(['string', 'bool', 'int32', 'int64', 'bytes']);
const fieldSpec = /^(\d+) (\S+) (\S+?)([!?]?)$/;

function valueType(t: string, pkg: string, where: string): ValueType {
  if (scalars.has(t)) return { scalar: t as Scalar };
  if (!/^([a-z0-9]+\.)?[A-Z]\w*$/.test(t)) throw new Error(`${where}: bad type ${t}`);
  return { message: t.includes('.') ? t : `${pkg}.${t}` };
}

export function parseField(spec: string, pkg: string, where: string): FieldDescriptor {
  const m = fieldSpec.exec(spec);
  if (!m) throw new Error(`${where}: bad field spec '${spec}'`);
  const [, num, json, type, flag] = m as unknown as [string, string, string, string, string];
  const at = `${where}.${num}`;
  const inline = json === '...';
  const list = json === '[]';
  if (!inline && !list && !/^[A-Za-z_$][\w$]*$/.test(json)) throw new Error(`${at}: bad JSON name ${json}`);
  let cardinality: FieldDescriptor['cardinality'] = 'single';
  let key: Scalar | undefined;
  let value: ValueType;
  const map = /^map<(\w+),(\S+)>$/.exec(type);
  if (map) {
    cardinality = 'map';
    const k = valueType(map[1]!, pkg, at);
    if (!('scalar' in k) || k.scalar === 'bytes') throw new Error(`${at}: bad map key ${map[1]}`);
    key = k.scalar;
    value = valueType(map[2]!, pkg, at);
  } else if (type.startsWith('[]')) {
    cardinality = 'repeated';
    value = valueType(type.slice(2), pkg, at);
  } else {
    value = valueType(type, pkg, at);
  }
  if (flag === '?' && !('message' in value && cardinality === 'single')) throw new Error(`${at}: '?' on a non-message`);
  if (inline && !('message' in value && cardinality === 'single')) throw new Error(`${at}: '...' needs a message`);
  if ((inline || list) && flag) throw new Error(`${at}: no flags on '${json}'`);
  if (list && cardinality !== 'repeated') throw new Error(`${at}: '[]' needs a repeated field`);
  return {
    number: Number(num),
    json: inline || list ? '' : json,
    inline,
    list,
    cardinality,
    ...(key ? { key } : {}),
    value,
    keepZero: flag === '!',
    omitZero: flag === '?',
  };
}

export function parseMessage(name: string, specs: readonly string[]): MessageDescriptor {
  const pkg = name.slice(0, name.indexOf('.'));
  const fields = new Map<number, FieldDescriptor>();
  const names = new Set<string>();
  for (const spec of specs) {
    const f = parseField(spec, pkg, name);
    if (fields.has(f.number)) throw new Error(`${name}: field ${f.number} twice`);
    if (f.json && names.has(f.json)) throw new Error(`${name}: JSON name ${f.json} twice`);
    fields.set(f.number, f);
    names.add(f.json);
  }
  const list = [...fields.values()].some((f) => f.list);
  if (list && (fields.size !== 1 || !fields.has(1))) throw new Error(`${name}: a list message has only field 1`);
  return { name, fields, list };
}
