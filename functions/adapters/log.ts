import type { Logger } from '../core/ports.js';

type Severity = 'INFO' | 'WARNING' | 'ERROR';

/** One JSON object per line on stdout: Cloud Logging reads `severity` and `message` from it. */
export function createJsonLogger(component: string, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (severity: Severity, message: string, fields?: Record<string, unknown>): void => {
    write(`${JSON.stringify({ severity, component, message, ...fields, time: new Date().toISOString() })}\n`);
  };
  return {
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARNING', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
  };
}
