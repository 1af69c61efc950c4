// Entry point. Signal handlers go in first, before the (slow) module loading, so a SIGTERM that arrives during
// start-up is never lost: the launcher picks it up and shuts down cleanly (exit 0) instead of dying mid-start.
import type { LauncherState } from './launcher';

const state: LauncherState = { stopRequested: null };
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (state.onStop) state.onStop(signal);
    else state.stopRequested ??= signal;
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launch } = require('./launcher') as typeof import('./launcher');
void launch(state);
