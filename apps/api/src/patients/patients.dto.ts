import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsIsoDate } from '../http/validators';
import { ListQueryDto } from '../http/list-query.dto';

export class ConsentDto {
  @ApiProperty() @IsBoolean() sms!: boolean;
  @ApiProperty() @IsBoolean() email!: boolean;
}

const NAME = /^[\p{L}\p{M}' .-]+$/u;
const STATUSES = ['active', 'discharged'] as const;

export class CreatePatientDto {
  @ApiProperty({ example: 'Jordan', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(NAME, {
    message: 'firstName may contain letters, spaces, apostrophes, dots and hyphens',
  })
  firstName!: string;
  @ApiProperty({ example: 'Rivera', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(NAME, { message: 'lastName may contain letters, spaces, apostrophes, dots and hyphens' })
  lastName!: string;
  @ApiProperty({ format: 'date', example: '1988-04-12' }) @IsIsoDate() dateOfBirth!: string;
  @ApiPropertyOptional({ example: '+15550100123', description: 'E.164' })
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be E.164, e.g. +15550100123' })
  phone?: string;
  @ApiPropertyOptional({ example: 'jordan@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
  @ApiPropertyOptional({
    example: 'America/Chicago',
    description: "IANA zone; the location's when absent",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
  @ApiProperty({ type: ConsentDto }) @ValidateNested() @Type(() => ConsentDto) consent!: ConsentDto;
}

export class UpdatePatientDto extends PartialType(CreatePatientDto) {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?:
    'active' | 'discharged';
}

export class PatientDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'MRN100001' }) mrn!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty({ format: 'date' }) dateOfBirth!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) timezone!: string | null;
  @ApiProperty({ type: ConsentDto }) consent!: ConsentDto;
  @ApiProperty({ enum: STATUSES }) status!: 'active' | 'discharged';
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PatientPageDto {
  @ApiProperty({ type: [PatientDto] }) items!: PatientDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class PatientQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'name prefix ("riv", "jordan riv"), MRN, or birth date YYYY-MM-DD',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: string;
}
