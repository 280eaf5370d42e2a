// Running the nft binary: a transaction goes to `nft -f -` on stdin and is applied atomically
// or not at all; a failure rejects with nft's own message (its first lines: nft echoes each
// failing command, which can be long).

import { spawn } from 'node:child_process';

export interface NFT {
  /** Applies a script of nft commands as one transaction. */
  run(script: string): Promise<void>;
  /** Runs `nft <args>` and resolves with its stdout (for listing). */
  exec(args: readonly string[]): Promise<string>;
}

export class NFTError extends Error {
  readonly code: number | null;
  readonly stderr: string;

  constructor(message: string, code: number | null, stderr: string) {
    super(message);
    this.name = 'NFTError';
    this.code = code;
    this.stderr = stderr;
  }
}

const messageLimit = 2000;

function call(path: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const text = err.trim() || `exit code ${code}`;
      reject(new NFTError(`nft ${args.join(' ')}: ${text.length > messageLimit ? `${text.slice(0, messageLimit)}...` : text}`, code, err));
    });
    if (input !== undefined) {
      // nft may exit early on a parse error; the rest of the script is of no interest then.
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });
}

export function nftCommand(path = 'nft'): NFT {
  return {
    run: async (script) => {
      await call(path, ['-f', '-'], script);
    },
    exec: (args) => call(path, args),
  };
}

/** Whether `nft` runs here and may change the ruleset (it needs CAP_NET_ADMIN). */
export async function nftUsable(nft: NFT = nftCommand()): Promise<boolean> {
  try {
    await nft.exec(['list', 'tables']);
    return true;
  } catch {
    return false;
  }
}

/** Deletes an ip table, if it exists (upstream's CleanupLeftovers). */
export async function deleteTable(table: string, nft: NFT = nftCommand()): Promise<void> {
  // `add` first so that `delete` cannot fail on a missing table.
  await nft.run(`add table ip ${table}\ndelete table ip ${table}\n`);
}
