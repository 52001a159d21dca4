/**
 * The repository's root, found from a compiled test's folder (out/test/unit/<group>/…) by walking
 * up to the package.json that names this extension, so a test can move between folders freely.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let found: string | undefined;

export function repoRoot(): string {
  if (found) return found;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'cloudtrail-lens') return (found = dir);
    if (dirname(dir) === dir) throw new Error(`No cloudtrail-lens package.json above ${__dirname}`);
  }
}
