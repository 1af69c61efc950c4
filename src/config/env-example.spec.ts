import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from './load-env';

const ROOT = resolve(__dirname, '../..');
const EXAMPLE = join(ROOT, '.env.example');

/** The variables the service reads: the properties of EnvironmentVariables (env.validation.ts). */
function declaredVariables(): string[] {
  const source = readFileSync(join(__dirname, 'env.validation.ts'), 'utf8');
  return [...new Set([...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?!]?(?: =|:)/gm)].map((m) => m[1]))];
}

describe('.env.example (the README: "every variable is listed with its default")', () => {
  it('names every variable the service reads', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    const declared = declaredVariables();
    expect(declared.length).toBeGreaterThan(100);
    const missing = declared.filter((name) => !new RegExp(`\\b${name}\\b`).test(example));
    expect(missing).toEqual([]);
  });

  it('is a valid configuration as it stands (copied to .env, the service would start with it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tds-env-example-'));
    try {
      copyFileSync(EXAMPLE, join(dir, '.env'));
      expect(() => loadEnvironment(dir)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
