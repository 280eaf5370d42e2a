// Structured log lines, one per call: "<RFC 3339 time> <level> <component>: <message> key=value ...".
// Values with spaces, quotes or '=' are JSON-quoted, so a line splits back into its fields. The
// sink is injectable (tests collect lines; processes write to stdout).

export type Level = 'info' | 'warn' | 'error' | 'debug';

export type Fields = Record<string, unknown>;

export interface Logger {
  readonly component: string;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  /** A logger for a part of this component ("kube-scheduler/queue"). */
  child(name: string): Logger;
}

export interface LoggerOptions {
  /** Where lines go (default: stdout). */
  sink?: (line: string) => void;
  now?: () => number;
  /** Print debug lines (default false). */
  verbose?: boolean;
}

function formatField(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v) ?? String(v);
  return s === '' || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function formatLine(time: number, level: Level, component: string, message: string, fields: Fields = {}): string {
  let line = `${new Date(time).toISOString()} ${level.toUpperCase()} ${component}: ${message}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${formatField(v)}`;
  return line;
}

export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (level: Level) => (message: string, fields?: Fields) => sink(formatLine(now(), level, component, message, fields));
  return {
    component,
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: options.verbose ? emit('debug') : () => {},
    child: (name) => createLogger(`${component}/${name}`, options),
  };
}
