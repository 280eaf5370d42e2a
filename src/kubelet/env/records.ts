// Lookups in JSON maps (data, labels, resource lists) by keys that come from users: a key such as
// "constructor" must find nothing rather than Object.prototype's member.

export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
