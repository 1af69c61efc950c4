import { Injectable, Logger } from '@nestjs/common';
import { AuditEntryRow, AuditFilter, AuditRepository, NewAuditEntry } from './audit.repository';

export type { AuditEntryRow, AuditFilter, NewAuditEntry } from './audit.repository';

/**
 * The audit log of admin actions (tds.admin_audit): who (the admin key's name, never the key), what, on what, from
 * which client IP, when, and how it ended. Controllers mark actions with @Audited() (AuditInterceptor records
 * them); code that acts outside a request calls record() itself.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly audit: AuditRepository) {}

  async record(entry: NewAuditEntry): Promise<void> {
    const clip = (s: string | null, n: number) => (s === null ? null : s.slice(0, n));
    const id = await this.audit.insert({ ...entry, target: clip(entry.target, 500), detail: clip(entry.detail, 2000) });
    this.logger.log(
      `admin ${entry.action} ${entry.target ?? ''} by ${entry.keyName} from ${entry.clientIp ?? '?'} → ${entry.statusCode} ${entry.result} (audit ${id})`,
    );
  }

  list(filter: AuditFilter, limit: number, beforeId?: string): Promise<AuditEntryRow[]> {
    return this.audit.list(filter, limit, beforeId);
  }
}
