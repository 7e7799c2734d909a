/**
 * One CSV cell, quoted when needed (RFC 4180) and neutralised against formula injection (OWASP):
 * text that starts with =, +, -, @, tab or carriage return is prefixed with ' so a spreadsheet
 * shows it instead of running it. Numbers are ours, never user text, and stay as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = String(value);
  const text = typeof value === 'number' || typeof value === 'bigint' || !FORMULA_START.test(raw) ? raw : `'${raw}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: unknown[]): string => cells.map(csvCell).join(',');
