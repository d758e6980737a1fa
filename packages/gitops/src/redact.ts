// Redaction lives in @mooring/core, shared by every adapter.
export { formatCommand, REDACTED, Redactor, redact, truncate } from '@mooring/core';
