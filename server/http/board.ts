import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { HttpProblem } from './problem';

/** The board's build (web/, built by Vite: `npm run build:web`, run by `npm install` and `npm start`). */
export const BOARD_DIST = path.join(__dirname, '..', '..', 'web', 'dist');

/**
 * /board/: the built app. Files with a hash in their name are cached for a year; any other path
 * under /board/ is a page of the app (`/board/list`, `/board/item/lead/7`) and gets index.html,
 * which the app's router reads. `/board/#lead-123` links from alerts open the item in the app.
 */
export function boardRoutes(dist: string, configLocale: () => string): Router {
  const router = Router();
  const indexFile = path.join(dist, 'index.html');
  router.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  router.use(express.static(dist, { index: false, maxAge: 0 }));
  router.get('/{*page}', (request, response, next) => {
    const [pathname = '', search] = request.originalUrl.split('?');
    // `/board` → `/board/`: the app's addresses all start with the slash.
    if (pathname === '/board') return response.redirect(301, `/board/${search === undefined ? '' : `?${search}`}`);
    if (!fs.existsSync(indexFile)) {
      return next(new HttpProblem({ type: 'urn:robots:board-not-built', title: 'The board is not built', status: 503, detail: 'run `npm run build:web` (npm install and npm start do it)' }));
    }
    // The page itself is never cached: it names the current build's assets. Its `lang` is the
    // config's, so the sign-in page speaks the installation's language before anyone signs in.
    const page = fs.readFileSync(indexFile, 'utf8').replace(/<html lang="[a-z]+"/, `<html lang="${configLocale() === 'en' ? 'en' : 'ru'}"`);
    return response.set('Cache-Control', 'no-cache').type('html').send(page);
  });
  return router;
}
