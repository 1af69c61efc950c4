import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { WebhookAuthService } from './webhook-auth.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [QueueModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookAuthService],
})
export class WebhooksModule {}
