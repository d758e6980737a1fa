import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface TlsClient {
  ca: string;
  cert: string;
  key: string;
}

/** GET over HTTPS with a client certificate; resolves with status and body. */
export function httpsGet(
  url: string,
  tls: TlsClient,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      url,
      {
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
        timeout: timeoutMs,
      },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c) => {
          body += c;
        });
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}
