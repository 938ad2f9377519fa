import { readFileSync } from 'node:fs';

/** Set by scripts/bundle.mjs in the bundled CLI; read from package.json otherwise. */
declare const __SHMCTL_TS_VERSION__: string | undefined;

/** shmctl-ts's version (--version, and the tool's version in SARIF). */
export function version(): string {
  if (typeof __SHMCTL_TS_VERSION__ === 'string') return __SHMCTL_TS_VERSION__;
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'shmctl-ts' && pkg.version) return pkg.version;
    } catch {
      /* try the next place */
    }
  }
  return 'unknown';
}
