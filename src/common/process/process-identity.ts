import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's id: in tds.workers and on its event attempts and job runs. host:pid:random (unique across restarts). */
export const PROCESS_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
