import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { PatientsService } from '@app/patients';
import type { Actor } from '@app/auth';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/access.decorators';
import { ProblemDto } from '../http/problem.dto';
import { UuidPipe } from '../http/uuid.pipe';
import {
  CreatePatientDto,
  PatientDto,
  PatientPageDto,
  PatientQueryDto,
  UpdatePatientDto,
} from './patients.dto';

@ApiTags('patients')
@Controller('patients')
@ApiBadRequestResponse({ type: ProblemDto })
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @ApiOperation({ summary: 'Register a patient' })
  @Post()
  @Roles('admin', 'front_desk')
  @ApiCreatedResponse({ type: PatientDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreatePatientDto): Promise<PatientDto> {
    return this.patients.create(actor, body);
  }

  @ApiOperation({ summary: 'Search patients by name prefix, MRN or birth date' })
  @Get()
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: PatientPageDto, description: 'A clinician sees only their own patients' })
  search(@CurrentActor() actor: Actor, @Query() query: PatientQueryDto): Promise<PatientPageDto> {
    return this.patients.search(actor, query);
  }

  @ApiOperation({ summary: "Read a patient's record" })
  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: PatientDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string): Promise<PatientDto> {
    return this.patients.get(actor, id);
  }

  @ApiOperation({ summary: "Change a patient's details, consent or status" })
  @Patch(':id')
  @Roles('admin', 'front_desk')
  @ApiOkResponse({ type: PatientDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdatePatientDto,
  ): Promise<PatientDto> {
    return this.patients.update(actor, id, body);
  }
}
