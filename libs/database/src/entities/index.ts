import { AppointmentEntity, AppointmentSeriesEntity } from './appointment.entity';
import { AuditEventEntity } from './audit-event.entity';
import { CarePlanChangeEntity, CarePlanEntity } from './care-plan.entity';
import { LocationClosureEntity, LocationEntity } from './location.entity';
import { PatientEntity } from './patient.entity';
import {
  ProviderEntity,
  TimeOffEntity,
  VisitTypeEntity,
  WorkingBlockEntity,
} from './provider.entity';
import { QueueProbeEntity } from './queue-probe.entity';
import { UserEntity } from './user.entity';

export * from './appointment.entity';
export * from './audit-event.entity';
export * from './care-plan.entity';
export * from './location.entity';
export * from './patient.entity';
export * from './provider.entity';
export * from './queue-probe.entity';
export * from './user.entity';

export const ENTITIES = [
  LocationEntity,
  LocationClosureEntity,
  ProviderEntity,
  WorkingBlockEntity,
  TimeOffEntity,
  VisitTypeEntity,
  PatientEntity,
  CarePlanEntity,
  CarePlanChangeEntity,
  AppointmentEntity,
  AppointmentSeriesEntity,
  UserEntity,
  AuditEventEntity,
  QueueProbeEntity,
];
