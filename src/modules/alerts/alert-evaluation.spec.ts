import { describe, expect, it } from 'vitest';
import { evaluateRule, EvaluationInput } from './alert-evaluation';

const backlog = (value: number | null, current: EvaluationInput['current'] = null, hysteresis = 0.1) =>
  evaluateRule({ direction: 'above', levels: { warning: 500, critical: 1000 }, value, current, hysteresis });

describe('evaluateRule', () => {
  it('opens at the level the value reaches; levels are strict', () => {
    expect(backlog(500)).toEqual({ action: 'none' });
    expect(backlog(501)).toEqual({ action: 'open', severity: 'warning', threshold: 500 });
    expect(backlog(1000)).toEqual({ action: 'open', severity: 'warning', threshold: 500 });
    expect(backlog(1001)).toEqual({ action: 'open', severity: 'critical', threshold: 1000 });
  });

  it('not judged (null) changes nothing', () => {
    expect(backlog(null)).toEqual({ action: 'none' });
    expect(backlog(null, 'critical')).toEqual({ action: 'none' });
  });

  it('escalates at once, de-escalates and resolves only past the 10% margin', () => {
    expect(backlog(1500, 'warning')).toMatchObject({ action: 'update', severity: 'critical', firing: true });
    expect(backlog(950, 'critical')).toMatchObject({ action: 'update', severity: 'critical', threshold: 1000, firing: true });
    expect(backlog(901, 'critical')).toMatchObject({ action: 'update', severity: 'critical' });
    expect(backlog(900, 'critical')).toMatchObject({ action: 'update', severity: 'warning', threshold: 500, firing: true });
    expect(backlog(480, 'warning')).toMatchObject({ action: 'update', severity: 'warning', firing: false });
    expect(backlog(451, 'critical')).toMatchObject({ action: 'update', severity: 'warning', firing: false });
    expect(backlog(450, 'warning')).toEqual({ action: 'resolve' });
    expect(backlog(0, 'critical')).toEqual({ action: 'resolve' });
  });

  it('without hysteresis resolves as soon as the level is cleared', () => {
    expect(backlog(499, 'warning', 0)).toEqual({ action: 'resolve' });
  });

  it('a zero level resolves only at zero', () => {
    const stuck = (value: number, current: EvaluationInput['current']) =>
      evaluateRule({ direction: 'above', levels: { warning: 0, critical: 10 }, value, current, hysteresis: 0.1 });
    expect(stuck(1, null)).toMatchObject({ action: 'open', severity: 'warning' });
    expect(stuck(1, 'warning')).toMatchObject({ action: 'update', severity: 'warning' });
    expect(stuck(0, 'warning')).toEqual({ action: 'resolve' });
  });

  it('"below" rules mirror it (no live worker: critical under 1, resolved at 1 without hysteresis)', () => {
    const workers = (value: number, current: EvaluationInput['current']) =>
      evaluateRule({ direction: 'below', levels: { warning: null, critical: 1 }, value, current, hysteresis: 0 });
    expect(workers(0, null)).toEqual({ action: 'open', severity: 'critical', threshold: 1 });
    expect(workers(0, 'critical')).toMatchObject({ action: 'update', severity: 'critical' });
    expect(workers(1, 'critical')).toEqual({ action: 'resolve' });
    expect(workers(1, null)).toEqual({ action: 'none' });
    const below = (value: number) =>
      evaluateRule({ direction: 'below', levels: { warning: 20, critical: 10 }, value, current: 'warning', hysteresis: 0.1 });
    expect(below(21)).toMatchObject({ action: 'update', severity: 'warning', firing: false });
    expect(below(22)).toEqual({ action: 'resolve' });
  });
});
