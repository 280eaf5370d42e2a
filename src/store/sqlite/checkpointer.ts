// The WAL checkpointer of a SQLite store, run in a worker thread (checkpoints.ts starts it): its
// own connection to the database copies committed WAL frames back into the database file with
// PASSIVE checkpoints (which never wait for, nor block, the writer), so the writer's thread does
// not spend its time, and stall its requests, on checkpoints. Messages: "checkpoint" → replies
// { walFrames, checkpointed } (or { error }); "close" → closes the connection and ends the thread.

import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort!;
const db = new DatabaseSync((workerData as { path: string }).path);
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

port.on('message', (message: string) => {
  if (message === 'close') {
    // Closing the port lets the thread end, which is what the owner waits for.
    db.close();
    port.close();
    return;
  }
  try {
    const row = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    port.postMessage({ walFrames: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    port.postMessage({ error: (err as Error).message });
  }
});
