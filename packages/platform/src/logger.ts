import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** Fields that never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'secret',
  'agent_token',
  'install_command',
  'databaseUrl',
  'creds',
  'bus',
  'private_key',
  'client_secret',
  'secretKey',
  'secretKeyPrevious',
  '*.private_key',
  '*.client_secret',
  '*.secretKey',
  '*.secretKeyPrevious',
  '*.password',
  '*.token',
  '*.secret',
  '*.agent_token',
  '*.install_command',
  '*.authorization',
  '*.databaseUrl',
  '*.creds',
  '*.bus',
];

/** The platform's root logger (passed in everywhere; there is no global one). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
