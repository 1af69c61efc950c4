import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

export interface NewAuditEntry {
  keyName: string;
  action: string;
  target: string | null;
  clientIp: string | null;
  statusCode: number;
  result: 'succeeded' | 'failed';
  detail: string | null;
  requestId: string | null;
}

export interface AuditEntryRow {
  id: string;
  at: Date;
  key_name: string;
  action: string;
  target: string | null;
  client_ip: string | null;
  status_code: number;
  result: 'succeeded' | 'failed';
  detail: string | null;
  request_id: string | null;
}

export interface AuditFilter {
  action?: string;
  keyName?: string;
  target?: string;
  result?: 'succeeded' | 'failed';
  from?: Date;
  to?: Date;
}

const INSERT = `
  INSERT INTO tds.admin_audit (key_name, action, target, client_ip, status_code, result, detail, request_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  RETURNING id::text AS id`;

// ORDER BY names a.id: a bare `id` would be the text output column (ordered as text, and not by the index).
const COLUMNS = `id::text AS id, at, key_name, action, target, client_ip, status_code, result, detail, request_id`;

/** Admin actions, newest first; filters compose from fixed clauses (one bind parameter each). */
function listSql(f: AuditFilter, params: unknown[], beforeId: string | undefined, limit: number): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const w: string[] = [];
  if (f.action) w.push(`action = ${p(f.action)}`);
  if (f.keyName) w.push(`key_name = ${p(f.keyName)}`);
  if (f.target) w.push(`target = ${p(f.target)}`);
  if (f.result) w.push(`result = ${p(f.result)}`);
  if (f.from) w.push(`at >= ${p(f.from)}`);
  if (f.to) w.push(`at < ${p(f.to)}`);
  if (beforeId) w.push(`id < ${p(beforeId)}`);
  return `SELECT ${COLUMNS} FROM tds.admin_audit a ${w.length ? `WHERE ${w.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT ${p(limit)}`;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: DatabaseService) {}

  async insert(e: NewAuditEntry): Promise<string> {
    const rows = await this.db.query<{ id: string }>(INSERT, [
      e.keyName,
      e.action,
      e.target,
      e.clientIp,
      e.statusCode,
      e.result,
      e.detail,
      e.requestId,
    ]);
    return rows[0].id;
  }

  list(filter: AuditFilter, limit: number, beforeId?: string): Promise<AuditEntryRow[]> {
    const params: unknown[] = [];
    const sql = listSql(filter, params, beforeId, limit);
    return this.db.query<AuditEntryRow>(sql, params);
  }
}
