import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';

export class ServiceStatusDto {
  @ApiProperty({ example: 'up', enum: ['up'], description: 'The service answers HTTP; /health checks the database, queue and workers' })
  status: 'up';
}

/** `/` is open to anyone (load balancers, uptime checks): it says the service is up and nothing about it. */
@ApiTags('service')
@Controller()
export class RootController {
  @Get()
  @ApiOperation({ summary: 'The service is up (nothing else: environment, role and version are not shown)' })
  @ApiOkResponse({ type: ServiceStatusDto })
  info(): ServiceStatusDto {
    return { status: 'up' };
  }
}
