import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readPackage(): { name: string; version: string } {
  // src/version.ts runs from src/ (tests) or dist/src/ (built): walk up to package.json.
  for (const rel of ['..', '../..', '../../..']) {
    try {
      return JSON.parse(readFileSync(join(__dirname, rel, 'package.json'), 'utf8'));
    } catch {
      /* try the next level */
    }
  }
  return { name: 'tds-core', version: '0.0.0' };
}

const pkg = readPackage();
export const SERVICE_NAME = pkg.name;
export const SERVICE_VERSION = pkg.version;
