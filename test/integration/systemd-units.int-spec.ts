import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * deploy/systemd: the shipped units pass `systemd-analyze verify`. Verify also checks that each ExecStart binary
 * exists, and the units name the install paths of docs/DEPLOYMENT.md (/opt/tds-core, /usr/bin/node): a copy with
 * those two paths pointing at this checkout and this Node is verified, so the check is about the units, not about
 * whether this machine happens to be a deployed host. Everything else is verified as shipped.
 */
const ROOT = resolve(__dirname, '../..');
const UNITS_DIR = join(ROOT, 'deploy/systemd');
const UNITS = ['tds-core-api.service', 'tds-core-worker.service', 'tds-core-backup.service', 'tds-core-backup.timer'];
const hasAnalyzer = spawnSync('systemd-analyze', ['--version']).status === 0;
const requireTools = process.env.TDS_TEST_REQUIRE_TOOLS === '1';
const needs = hasAnalyzer ? '' : ' [skipped: systemd-analyze not installed, apt-get install systemd]';

const unit = (name: string) => readFileSync(join(UNITS_DIR, name), 'utf8');
/** Values of one directive in a unit file (comments skipped). */
const values = (text: string, key: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

function verify(dir: string, names: string[]): { status: number | null; problems: string[] } {
  const res = spawnSync('systemd-analyze', ['verify', ...names.map((n) => join(dir, n))], { encoding: 'utf8' });
  // Verify exits 0 on unknown keys and bad values (it only warns): every line about our files is a failure.
  const problems = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => l.includes('tds-core'));
  return { status: res.status, problems };
}

describe('systemd units (deploy/systemd)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tds-units-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function localCopy(text: string): string {
    return text.replaceAll('/opt/tds-core', ROOT).replaceAll('/usr/bin/node', process.execPath);
  }

  it.skipIf(!hasAnalyzer && !requireTools)(`pass systemd-analyze verify${needs}`, () => {
    for (const name of UNITS) writeFileSync(join(tmp, name), localCopy(unit(name)));
    const result = verify(tmp, UNITS);
    expect(result.problems, result.problems.join('\n')).toEqual([]);
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasAnalyzer && !requireTools)(`the check can fail: a misspelt directive or a missing binary is reported${needs}`, () => {
    writeFileSync(
      join(tmp, 'tds-core-typo.service'),
      localCopy(unit('tds-core-api.service')).replace('NoNewPrivileges=', 'NoNewPrivilegez='),
    );
    expect(verify(tmp, ['tds-core-typo.service']).problems.join('\n')).toContain("Unknown key 'NoNewPrivilegez'");
    writeFileSync(join(tmp, 'tds-core-nobin.service'), unit('tds-core-api.service').replace('/usr/bin/node', join(tmp, 'no-such-node')));
    const missing = verify(tmp, ['tds-core-nobin.service']);
    expect(missing.problems.join('\n')).toContain('no-such-node');
    expect(missing.status).not.toBe(0);
  });

  it('the API and worker units run node on dist/ (not npm), restart on failure, read an env file and are hardened', () => {
    for (const [name, role] of [
      ['tds-core-api.service', 'api'],
      ['tds-core-worker.service', 'worker'],
    ]) {
      const text = unit(name);
      expect(values(text, 'ExecStart'), name).toEqual(['/usr/bin/node /opt/tds-core/dist/src/main.js']);
      expect(existsSync(join(ROOT, 'dist/src/main.js'))).toBe(true); // built by the global setup: the path is real
      expect(values(text, 'Environment'), name).toContain(`TDS_ROLE=${role}`);
      expect(values(text, 'Restart'), name).toEqual(['on-failure']);
      expect(values(text, 'RestartPreventExitStatus'), name).toEqual(['78']); // invalid config: no restart loop
      expect(values(text, 'EnvironmentFile'), name).toEqual(['/etc/tds-core/tds-core.env']);
      expect(values(text, 'User'), name).toEqual(['tds']);
      for (const [key, value] of [
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['PrivateTmp', 'yes'],
        ['ProtectHome', 'yes'],
        ['KillSignal', 'SIGTERM'],
      ]) {
        expect(values(text, key), `${name} ${key}`).toEqual([value]);
      }
      // The data folder (TDS_DATA_DIR) is the one writable path.
      const dataDir = values(text, 'Environment')
        .find((v) => v.startsWith('TDS_DATA_DIR='))!
        .split('=')[1];
      expect(values(text, 'ReadWritePaths'), name).toEqual([dataDir]);
      // The stop budget covers the service's own (SHUTDOWN_TIMEOUT_MS, 30 s by default).
      expect(Number(values(text, 'TimeoutStopSec')[0])).toBeGreaterThan(30);
    }
  });

  it('the backup timer starts the backup service, which runs the entry point of `npm run backup` when there is one', () => {
    expect(values(unit('tds-core-backup.timer'), 'Unit')).toEqual(['tds-core-backup.service']);
    const [execStart] = values(unit('tds-core-backup.service'), 'ExecStart');
    expect(execStart).toMatch(/^\/usr\/bin\/node \/opt\/tds-core\/dist\/\S+\.js backup$/);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    if (scripts.backup) {
      // The same code as `npm run backup` (its node entry point after the build step).
      const entry = /node (dist\/\S+\.js) backup/.exec(scripts.backup)?.[1];
      expect(execStart).toBe(`/usr/bin/node /opt/tds-core/${entry} backup`);
    }
  });

  it('every unit is in the list above (a new file gets verified too)', () => {
    expect(readdirSync(UNITS_DIR).sort()).toEqual([...UNITS].sort());
  });
});
