import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from './app-config';

/** The frozen config object (src/config/app-config.ts) as a provider; `AppConfigService` is the usual way in. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Typed, grouped view of the one config object built by the launcher (or a test) and passed to `createApp(config)`.
 * One getter per section; every section is frozen. Nothing here reads the environment.
 */
@Injectable()
export class AppConfigService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get app(): AppConfig['app'] {
    return this.config.app;
  }

  get http(): AppConfig['http'] {
    return this.config.http;
  }

  get docs(): AppConfig['docs'] {
    return this.config.docs;
  }

  get log(): AppConfig['log'] {
    return this.config.log;
  }

  get database(): AppConfig['database'] {
    return this.config.database;
  }

  get queue(): AppConfig['queue'] {
    return this.config.queue;
  }

  get admin(): AppConfig['admin'] {
    return this.config.admin;
  }

  get metrics(): AppConfig['metrics'] {
    return this.config.metrics;
  }

  get health(): AppConfig['health'] {
    return this.config.health;
  }

  get webhooks(): AppConfig['webhooks'] {
    return this.config.webhooks;
  }

  get backups(): AppConfig['backups'] {
    return this.config.backups;
  }

  get retention(): AppConfig['retention'] {
    return this.config.retention;
  }

  get reconcile(): AppConfig['reconcile'] {
    return this.config.reconcile;
  }

  get monitoring(): AppConfig['monitoring'] {
    return this.config.monitoring;
  }

  get alerts(): AppConfig['alerts'] {
    return this.config.alerts;
  }

  get notifications(): AppConfig['notifications'] {
    return this.config.notifications;
  }

  get rateLimit(): AppConfig['rateLimit'] {
    return this.config.rateLimit;
  }

  get dashboard(): AppConfig['dashboard'] {
    return this.config.dashboard;
  }
}
