import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** Flips /health/ready to 503 as soon as shutdown starts, so a load balancer stops sending traffic. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(private readonly health: HealthIndicatorService) {}

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  check() {
    const session = this.health.check('process');
    return this.shuttingDown ? session.down({ message: 'shutting down' }) : session.up();
  }
}
