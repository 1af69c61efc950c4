import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultUiDistDir, injectBase } from './operator-ui';

describe('operator UI serving', () => {
  it('injects the base the assets and API resolve against, HTML-escaped', () => {
    const html = '<!doctype html>\n<html>\n  <head>\n    <title>x</title>\n  </head>\n</html>';
    expect(injectBase(html, '/tds/ui/')).toContain('<head>\n    <base href="/tds/ui/" />\n    <title>');
    expect(injectBase(html, '/a"b<c/ui/')).toContain('<base href="/a&#34;b&#60;c/ui/" />');
    expect(injectBase(html, '/ui/').match(/<base /g)).toHaveLength(1);
  });

  it('finds ui/dist of the package from a nested folder (src/… under tests, dist/src/… when built)', () => {
    const root = mkdtempSync(join(tmpdir(), 'tds-ui-root-'));
    try {
      mkdirSync(join(root, 'ui'));
      writeFileSync(join(root, 'ui', 'package.json'), '{}');
      mkdirSync(join(root, 'dist', 'src', 'modules', 'ui'), { recursive: true });
      expect(defaultUiDistDir(join(root, 'dist', 'src', 'modules', 'ui'))).toBe(join(root, 'ui', 'dist'));
      expect(defaultUiDistDir(join(__dirname))).toBe(join(__dirname, '..', '..', '..', 'ui', 'dist'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
