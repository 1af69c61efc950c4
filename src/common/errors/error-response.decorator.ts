import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponseDto } from './error-response.dto';

/**
 * Documents one error answer with its own example (the one error shape, ErrorResponseDto), so that Swagger shows
 * for each status the code and message a client really gets rather than one shared example.
 */
export const ApiErrorResponse = (
  status: number,
  code: string,
  message: string,
  description: string,
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>,
) =>
  applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ApiResponse({
      status,
      description,
      ...(headers ? { headers } : {}),
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(ErrorResponseDto) },
          example: { statusCode: status, error: STATUS_CODES[status], code, message, requestId: '8b7c1f0e-4d8e-4a7a-9a55-4f2b7f0c2d11' },
        },
      },
    }),
  );
