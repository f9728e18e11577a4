/**
 * The dashboard: a built single-page app in `<package root>/dist/dashboard`, served at `/`
 * when it exists. The package root is found from this file's URL, which sits two levels
 * down both in `src/server/` and in `dist/server/`.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RouteNotFoundError } from '../core/errors.js';
import { sendError } from './errors.js';

/** The package root (the folder holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the built dashboard lives. */
export const DASHBOARD_DIR = join(PACKAGE_ROOT, 'dist', 'dashboard');

/**
 * Cache-Control of the built files: Vite names everything under `assets/` by its content hash,
 * so a browser may keep those for good; `index.html` names the current hashes and must be asked
 * for again each time (a cheap 304 while unchanged).
 */
const CACHE_FOREVER = 'public, max-age=31536000, immutable';
const CACHE_REVALIDATE = 'no-cache';

/** Paths that are API, docs or probes: never answered with the SPA. */
const NOT_SPA = /^\/(api|docs|openapi\.json|metrics|healthz|readyz)(\/|$|\?)/;

/** True for a file under the build's `assets/` folder (content-hashed names). */
function isHashedAsset(path: string): boolean {
  return /[\\/]assets[\\/][^\\/]+$/.test(path);
}

/**
 * Serves the dashboard if built, and answers unknown routes: `index.html` for a browser GET
 * of an app path (the SPA routes it), else the JSON 404.
 */
export async function registerDashboard(app: FastifyInstance, dir: string | null = DASHBOARD_DIR): Promise<boolean> {
  const enabled = dir !== null && existsSync(join(dir, 'index.html'));
  if (enabled) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      // The build writes a .br and a .gz beside each text file (see dashboard/compress.ts).
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply: FastifyReply, path: string) => {
        void reply.header('cache-control', isHashedAsset(path) ? CACHE_FOREVER : CACHE_REVALIDATE);
      },
    });
  }
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const spa =
      enabled &&
      request.method === 'GET' &&
      !NOT_SPA.test(request.url) &&
      !/\.[a-z0-9]+$/i.test(request.url.split('?')[0]!);
    if (spa) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return sendError(reply, new RouteNotFoundError(request.method, request.url.split('?')[0]!));
  });
  return enabled;
}
