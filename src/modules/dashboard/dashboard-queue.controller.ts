import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { EventBrowserService } from '../queue/event-browser.service';
import { QueueBreakdownDto, toQueueBreakdown } from './dto/queue-stats.dto';

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard')
export class DashboardQueueController {
  constructor(private readonly events: EventBrowserService) {}

  @Get('queue-stats')
  @ApiOperation({
    summary: 'Queue by status × entity type, oldest pending event, retry histogram (last 24 hours)',
    description:
      'Unfinished statuses are exact over the whole queue; completed counts and the histogram cover events received in the last 24 hours.',
  })
  @ApiOkResponse({ type: QueueBreakdownDto })
  async stats(): Promise<QueueBreakdownDto> {
    return toQueueBreakdown(await this.events.breakdown());
  }
}
