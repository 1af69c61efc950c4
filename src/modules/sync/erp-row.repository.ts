import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { ErpTarget } from './sync-handler';

/** The ERP row of one record as JSON text (the caller parses it with exact numbers); every column included. */
export interface ErpRowRow {
  row_json: string;
}

// Table and key come from the handler definitions (constants of this codebase), never from a request; checked
// anyway so that a definition typo cannot become a statement on another schema.
const IDENTIFIER = /^erp\.[a-z_][a-z0-9_]*$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;
const findRowSql = (t: ErpTarget) => `SELECT to_jsonb(r)::text AS row_json FROM ${t.table} r WHERE r.${t.key} = $1`;

/** Reads ERP rows for the operator API (the sync pipeline writes through ErpRepository). */
@Injectable()
export class ErpRowRepository {
  private readonly statements = new Map<ErpTarget, string>();

  constructor(private readonly db: DatabaseService) {}

  /** The row as JSON text, or undefined when the record has none. */
  async findRowJson(target: ErpTarget, zohoId: string): Promise<string | undefined> {
    let sql = this.statements.get(target);
    if (!sql) {
      if (!IDENTIFIER.test(target.table) || !COLUMN.test(target.key)) throw new Error(`not an ERP target: ${target.table}.${target.key}`);
      this.statements.set(target, (sql = findRowSql(target)));
    }
    return (await this.db.query<ErpRowRow>(sql, [zohoId]))[0]?.row_json;
  }
}
