import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AppConfigService } from '../../config/app-config.service';
import { SERVICE_NAME, SERVICE_VERSION } from '../../version';

export class ServiceInfoDto {
  @ApiProperty({ example: 'tds-core' }) service: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ example: 'production', enum: ['development', 'staging', 'production', 'test'] }) environment: string;
  @ApiProperty({ example: 'all', enum: ['all', 'api', 'worker'] }) role: string;
  @ApiProperty({ example: '/tds/docs', nullable: true, description: 'Swagger UI, or null when DOCS_ENABLED=false' })
  docs: string | null;
  @ApiProperty({ example: '/tds/health' }) health: string;
}

@ApiTags('service')
@Controller()
export class RootController {
  constructor(private readonly config: AppConfigService) {}

  @Get()
  @ApiOperation({ summary: 'Service name, version, environment and where the docs are' })
  @ApiOkResponse({ type: ServiceInfoDto })
  info(): ServiceInfoDto {
    const { environment, role, basePath, docsEnabled } = this.config.app;
    return {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      environment,
      role,
      docs: docsEnabled ? `${basePath}/docs` : null,
      health: `${basePath}/health`,
    };
  }
}
