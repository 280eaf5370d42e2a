import { storeContract } from '../contract.ts';
import { openMemoryStore } from './memory-store.ts';

storeContract('memory', { open: async () => openMemoryStore() });
