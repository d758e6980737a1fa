export { formatCommand, REDACTED, Redactor, redact, truncate } from './redact.ts';
