import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'dateOfBirth' }) field!: string;
  @ApiProperty({ example: 'isIsoDate' }) rule!: string;
  @ApiProperty() message!: string;
}

class ViolationDto {
  @ApiProperty({ example: 'OUTSIDE_WORKING_HOURS' }) code!: string;
  @ApiProperty() detail!: string;
}

/** RFC 9457 problem details, as every error response of this API. */
export class ProblemDto {
  @ApiProperty({ example: 'https://clinic.example/problems/validation' }) type!: string;
  @ApiProperty({ example: 'Bad request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ example: 'VALIDATION' }) code!: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
  @ApiPropertyOptional({ type: [ViolationDto] }) violations?: ViolationDto[];
  @ApiPropertyOptional({ enum: ['provider', 'patient'] }) conflict?: 'provider' | 'patient';
}
