import { Global, Module } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/**
 * The admin audit log. Global: any controller marks an action with @Audited('…'), which attaches AuditInterceptor to
 * that route; AuditService is injectable everywhere (record(), list()).
 */
@Global()
@Module({
  providers: [AuditRepository, AuditService, AuditInterceptor],
  exports: [AuditService, AuditInterceptor],
})
export class AuditModule {}
