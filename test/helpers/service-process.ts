import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { parseLogLine } from './log-lines.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');
/** How long a start or an awaited log line may take: generous, for a loaded CI machine. */
const PATIENCE_MS = 60_000;

export type LogEntry = Record<string, unknown>;

export interface ServiceOptions {
  readonly databaseUrl: string;
  /** Default: a free one. A restart passes the port of the process it replaces. */
  readonly port?: number | undefined;
  /**
   * Variables on top of the defaults: LOG_LEVEL (info with `logs`, else silent) and
   * RATE_LIMIT_REQUESTS=0 (a test's traffic is never throttled unless the test says so).
   */
  readonly env?: Readonly<Record<string, string>>;
  /** The log (stdout) on a pipe this helper reads from the start: `lines`, `line()`. */
  readonly logs?: boolean;
  /**
   * When the start is done: /readyz answering 200 (the default), or the "parallel-scim
   * listening" log line (needs `logs`), for a test about what the start logged.
   */
  readonly readyWhen?: 'readyz' | 'listening';
}

/** The real service as its own process, as `npm start` runs it (src/main.ts through tsx). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly origin: string;
  /** Every JSON log line so far, parsed (with `logs`). */
  readonly lines: readonly LogEntry[];
  /** Everything the process wrote so far, stdout (with `logs`) and stderr as they came. */
  readonly output: string;
  /**
   * The first log line, already written or still to come, whose msg is `match` (or which
   * `match` accepts); rejects when the process ends first or after a minute.
   */
  line(match: string | ((line: LogEntry) => boolean), what?: string): Promise<LogEntry>;
  /**
   * Signals the process (unless it has ended) and resolves to its exit code once its output is
   * all read (null when a signal ended it).
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnService(options: ServiceOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const logs = options.logs ?? false;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: logs ? 'info' : 'silent',
      RATE_LIMIT_REQUESTS: '0',
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
    },
    // stderr is piped too, and kept, so that a failed start says why.
    stdio: ['ignore', logs ? 'pipe' : 'ignore', 'pipe'],
  });
  const service = new RunningService(child, port);
  try {
    if (options.readyWhen === 'listening') await service.line('parallel-scim listening', 'the start');
    else await service.ready();
  } catch (error) {
    await service.stop('SIGKILL');
    throw error;
  }
  return service;
}

class RunningService implements ServiceProcess {
  readonly origin: string;
  readonly lines: LogEntry[] = [];
  output = '';
  private closed = false;
  private readonly exitCode: Promise<number | null>;
  private readonly onLine = new Set<(line: LogEntry) => void>();

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.origin = `http://127.0.0.1:${port}`;
    // Read from the start, line by line, so that the pipe never fills and blocks the service's
    // logging, whether or not a test is waiting on a line.
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      const complete = (partial + chunk).split('\n');
      partial = complete.pop() ?? '';
      for (const text of complete) {
        const line = parseLogLine(text);
        if (!line) continue;
        this.lines.push(line);
        for (const waiter of this.onLine) waiter(line);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    child.on('error', (error) => {
      this.output += `spawn: ${error.message}\n`;
    });
    // 'close', not 'exit': the last lines may still be in the pipe when the process has exited.
    this.exitCode = new Promise((resolve) =>
      child.once('close', (code) => {
        this.closed = true;
        resolve(code);
      }),
    );
  }

  /** Resolves once /readyz answers 200; throws when the process ends first or after a minute. */
  async ready(): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    while (Date.now() < deadline) {
      if (this.ended()) throw new Error(`the service exited (${this.child.exitCode}) before ready:\n${this.output}`);
      try {
        if ((await fetch(`${this.origin}/readyz`, { signal: AbortSignal.timeout(5_000) })).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the service did not become ready within ${PATIENCE_MS / 1000} s:\n${this.output}`);
  }

  line(match: string | ((line: LogEntry) => boolean), what = String(match)): Promise<LogEntry> {
    const accepts = typeof match === 'string' ? (line: LogEntry) => line.msg === match : match;
    const seen = this.lines.find(accepts);
    if (seen) return Promise.resolve(seen);
    if (!this.child.stdout) return Promise.reject(new Error(`no log to wait on for ${what}: spawn with logs`));
    if (this.closed) return Promise.reject(new Error(`the service exited before logging ${what}:\n${this.output}`));
    return new Promise((resolve, reject) => {
      const done = (error: Error | undefined, line?: LogEntry) => {
        clearTimeout(timer);
        this.onLine.delete(onLine);
        this.child.off('close', onClose);
        if (line) resolve(line);
        else reject(error);
      };
      const onLine = (line: LogEntry) => {
        if (accepts(line)) done(undefined, line);
      };
      const onClose = (code: number | null) =>
        done(new Error(`the service exited (${code}) before logging ${what}:\n${this.output}`));
      const timer = setTimeout(
        () => done(new Error(`no log line ${what} within ${PATIENCE_MS / 1000} s; output:\n${this.output}`)),
        PATIENCE_MS,
      );
      this.onLine.add(onLine);
      this.child.once('close', onClose);
    });
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.ended()) this.child.kill(signal);
    return this.exitCode;
  }

  private ended(): boolean {
    return this.closed || this.child.exitCode !== null || this.child.signalCode !== null;
  }
}
