import { AUDIT_COLUMNS } from './audit-entry';
import type { AuditTrail } from './audit-entry';

/** The entries as RFC 4180 CSV: a header row, then one row per decision; quotes only where needed. */
export function auditToCsv(trail: AuditTrail): string {
  const rows = trail.entries.map((entry) => AUDIT_COLUMNS.map((column) => cell(entry[column])));
  return [AUDIT_COLUMNS.join(','), ...rows.map((row) => row.join(','))].join('\r\n') + '\r\n';
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
