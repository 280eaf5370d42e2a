// Status of a plugin call, as upstream's framework.Status: a code, the reasons (what the
// FailedScheduling message counts per node) and the plugin that produced it. `undefined`
// stands for Success everywhere a plugin returns a Status, so the hot path allocates nothing.

export const Code = {
  Success: 'Success',
  Error: 'Error',
  /** The node does not fit now; preemption or cluster changes may help. */
  Unschedulable: 'Unschedulable',
  /** The node cannot fit this pod whatever is evicted from it. */
  UnschedulableAndUnresolvable: 'UnschedulableAndUnresolvable',
  /** The plugin does not apply to this pod; its later extension points are skipped. */
  Skip: 'Skip',
} as const;

export type Code = (typeof Code)[keyof typeof Code];

export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  plugin: string;

  constructor(code: Code, reasons: readonly string[] = [], plugin = '') {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
  }

  /** The reasons joined, as Status.Message(). */
  get message(): string {
    return this.reasons.join(', ');
  }

  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  /** Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }
}

export function unschedulable(...reasons: string[]): Status {
  return new Status(Code.Unschedulable, reasons);
}

export function unresolvable(...reasons: string[]): Status {
  return new Status(Code.UnschedulableAndUnresolvable, reasons);
}

export function asError(err: unknown): Status {
  return new Status(Code.Error, [err instanceof Error ? err.message : String(err)]);
}

export const skip = new Status(Code.Skip);

/** True for undefined (Success) or a Success status. */
export function isSuccess(s: Status | undefined): boolean {
  return s === undefined || s.code === Code.Success;
}
