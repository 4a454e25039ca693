import type { ChildProcess } from 'node:child_process';

/**
 * The first line of a child's JSON log (pino, on its stdout, which must be a pipe) whose `msg`
 * is `msg`, parsed. Other output (npm's banner) is skipped. Once it is found the rest of the
 * output is read and dropped, so that the child never blocks on a full pipe: wait for the next
 * line by calling this again before doing what makes the child write it.
 */
export function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('logLine: the child has no stdout pipe'));
  return new Promise((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseLogLine(line);
        if (entry?.msg !== msg) continue;
        stdout.off('data', onData);
        stdout.resume();
        child.off('close', onClose);
        resolve(entry);
        return;
      }
    };
    // 'close', not 'exit': the line may still be in the pipe when the process has exited.
    const onClose = (code: number | null) => {
      stdout.off('data', onData);
      reject(new Error(`the process exited (${code}) before logging "${msg}"`));
    };
    stdout.on('data', onData);
    child.once('close', onClose);
  });
}

/** One line of output as a JSON log entry, or undefined when it is not one (npm's banner). */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
