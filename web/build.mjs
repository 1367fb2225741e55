// Builds the web UI into dist/web: esbuild bundles web/src/main.ts and web/src/style.css into
// content-hashed files under assets/, and index.html is written naming them (no inline code, so the
// server's CSP can forbid inline scripts and styles). Run by `npm run build`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const out = join(here, '..', 'dist', 'web');
await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.ts'), style: join(here, 'src', 'style.css') },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'));
const style = outputs.find((f) => f.startsWith('style-') && f.endsWith('.css'));
if (!script || !style) throw new Error(`esbuild produced no app script or stylesheet: ${outputs.join(', ')}`);
const template = await readFile(join(here, 'index.html'), 'utf8');
await writeFile(join(out, 'index.html'), template.replace('%SCRIPT%', `assets/${script}`).replace('%STYLE%', `assets/${style}`));
