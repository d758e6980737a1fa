import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { toErrorResponse } from './errorMapping.ts';

/** Where `npm run build:web` writes the web UI. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mooring</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Mooring</h1>
<p>The web UI is not built. Build it with <code>npm run build:web</code> at the root of the repository,
then reload this page. The API is served at <a href="/api/v1/docs/">/api/v1</a>.</p>
</body></html>
`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The web UI at `/`: files of the built UI (hashed assets cached for a year),
 * `index.html` for any other path outside `/api/` (the UI routes in the browser),
 * and a page that says how to build it when the folder is missing.
 */
export async function registerWebUi(app: FastifyInstance, webDir: string = DEFAULT_WEB_DIR): Promise<void> {
  await app.register(fastifyStatic, { root: webDir, serve: false });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'] ?? '';
    if (path === 'api' || path.startsWith('api/')) {
      const r = toErrorResponse(new NotFoundError('route', `GET ${request.url.split('?')[0]}`));
      return reply.code(r.status).send(r.body);
    }
    if (!existsSync(`${webDir}/index.html`)) {
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    const clean = path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
    const file = clean.join('/');
    if (file !== '' && isFile(`${webDir}/${file}`)) {
      const immutable = file.startsWith('assets/');
      return reply.sendFile(file, {
        maxAge: immutable ? '365d' : 0,
        immutable,
        cacheControl: true,
      });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
