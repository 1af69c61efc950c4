import { ApiProperty } from '@nestjs/swagger';

/** The one error body every route answers with (`HttpErrorFilter`), for Swagger. */
export class ErrorResponseDto {
  @ApiProperty({ example: 422 }) statusCode: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) error: string;
  @ApiProperty({ example: 'INVALID_ENVELOPE' }) code: string;
  @ApiProperty({ example: "Missing envelope: expected the record under 'invoice'" }) message: string;
  @ApiProperty({ example: '8b7c1f0e-4d8e-4a7a-9a55-4f2b7f0c2d11' }) requestId: string;
}
