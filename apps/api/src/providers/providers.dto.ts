import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CREDENTIALS, PROVIDER_ROLES, type BlockModality, type ProviderRole } from '@app/domain';
import { HH_MM, IsInstant } from '../http/validators';

export class CreateProviderDto {
  @ApiProperty({ example: 'Dr. Ana Ortiz' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: CREDENTIALS, isArray: true, example: ['MD'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsIn(CREDENTIALS, { each: true })
  credentials!: string[];
  @ApiProperty({ enum: PROVIDER_ROLES, isArray: true, example: ['prescriber'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(PROVIDER_ROLES, { each: true })
  roles!: ProviderRole[];
  @ApiProperty({ format: 'uuid' }) @IsUUID() locationId!: string;
  @ApiPropertyOptional({
    example: '1234567893',
    description: '10-digit National Provider Identifier',
  })
  @IsOptional()
  @Matches(/^\d{10}$/)
  npi?: string;
}

export class UpdateProviderDto extends PartialType(CreateProviderDto) {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

export class ProviderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) credentials!: string[];
  @ApiProperty({ enum: PROVIDER_ROLES, isArray: true }) roles!: ProviderRole[];
  @ApiProperty({ format: 'uuid' }) locationId!: string;
  @ApiProperty({ type: String, nullable: true }) npi!: string | null;
  @ApiProperty() active!: boolean;
}

export class ProviderListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({ enum: PROVIDER_ROLES })
  @IsOptional()
  @IsIn(PROVIDER_ROLES)
  role?: ProviderRole;
}

const MODALITIES: BlockModality[] = ['any', 'in_person', 'telehealth'];

export class WorkingBlockDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday, 1 = Monday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday!: number;
  @ApiProperty({ example: '09:00' })
  @Matches(HH_MM, { message: 'start must be HH:mm' })
  start!: string;
  @ApiProperty({ example: '17:00' }) @Matches(HH_MM, { message: 'end must be HH:mm' }) end!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() locationId!: string;
  @ApiPropertyOptional({ enum: MODALITIES, default: 'any' })
  @IsOptional()
  @IsIn(MODALITIES)
  modality?: BlockModality;
}

export class WorkingBlockViewDto extends WorkingBlockDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
}

export class WorkingHoursDto {
  @ApiProperty({ type: [WorkingBlockDto] })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => WorkingBlockDto)
  blocks!: WorkingBlockDto[];
}

export class CreateTimeOffDto {
  @ApiProperty({ example: '2027-03-01T00:00:00-05:00' }) @IsInstant() startsAt!: string;
  @ApiProperty({ example: '2027-03-06T00:00:00-05:00' }) @IsInstant() endsAt!: string;
  @ApiProperty({ example: 'Conference' }) @IsString() @Length(1, 500) reason!: string;
}

export class TimeOffDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty() reason!: string;
}
