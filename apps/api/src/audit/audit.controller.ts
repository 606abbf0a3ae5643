import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { AuditService } from '@app/audit';
import { decodeCursor, toPage } from '@app/database';
import { CurrentActor, Roles } from '../auth/access.decorators';
import { ListQueryDto } from '../http/list-query.dto';
import type { Actor } from '@app/auth';

class AuditQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() entityId?: string;
}

class AuditEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) actorId!: string | null;
  @ApiProperty({ type: String, nullable: true }) actorRole!: string | null;
  @ApiProperty({ example: 'read' }) action!: string;
  @ApiProperty({ example: 'patient' }) entity!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) entityId!: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) details!:
    object | null;
}

class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiOperation({ summary: 'Read the audit log: who read or changed what, when' })
  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: AuditPageDto, description: 'Newest first' })
  async list(@CurrentActor() _actor: Actor, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const after = decodeCursor(query.cursor, 1);
    const rows = await this.audit.list({
      entityId: query.entityId,
      limit: query.limit + 1,
      beforeId: after ? String(after[0]) : undefined,
    });
    return toPage(
      rows,
      query.limit,
      (e) => [e.id],
      (e) => ({
        id: e.id,
        at: e.at.toISOString(),
        actorId: e.actorId,
        actorRole: e.actorRole,
        action: e.action,
        entity: e.entity,
        entityId: e.entityId,
        requestId: e.requestId,
        details: e.details,
      }),
    );
  }
}
