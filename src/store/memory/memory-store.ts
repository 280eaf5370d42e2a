// memory:// — the full store contract with nothing on disk, for unit tests.

import type { EngineOptions } from '../mvcc/engine.ts';
import { Engine } from '../mvcc/engine.ts';
import type { Store } from '../store.ts';
import { MemoryBackend } from './memory-backend.ts';

export function openMemoryStore(options: EngineOptions = {}): Store {
  return new Engine(new MemoryBackend(), options);
}
