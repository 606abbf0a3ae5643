import { Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { QueueProbeService } from '@app/health';
import { Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';

class QueueProbeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) processedBy!: string | null;
}

@ApiTags('operations')
@Controller('admin/queue-probes')
export class QueueProbesController {
  constructor(private readonly probes: QueueProbeService) {}

  @ApiOperation({ summary: 'Enqueue a probe job (end-to-end check of the job path)' })
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: QueueProbeDto, description: 'Enqueued; a worker marks it processed' })
  request(): Promise<QueueProbeDto> {
    return this.probes.request();
  }

  @ApiOperation({ summary: 'Read a queue probe: processed yet, and by which worker' })
  @Get(':id')
  @Roles('admin')
  @ApiOkResponse({ type: QueueProbeDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id', UuidPipe) id: string): Promise<QueueProbeDto> {
    return this.probes.get(id);
  }
}
