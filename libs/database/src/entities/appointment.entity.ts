import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { AppointmentStatus, Frequency, Modality } from '@app/domain';

@Entity('appointments')
export class AppointmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('uuid', { name: 'location_id' }) locationId!: string;
  @Column('text', { name: 'visit_type' }) visitType!: string;
  @Column('uuid', { name: 'care_plan_id', nullable: true }) carePlanId!: string | null;
  @Column('uuid', { name: 'series_id', nullable: true }) seriesId!: string | null;
  @Column('timestamptz', { name: 'starts_at' }) startsAt!: Date;
  @Column('timestamptz', { name: 'ends_at' }) endsAt!: Date;
  @Column('text', { default: 'in_person' }) modality!: Modality;
  @Column('text', { default: 'scheduled' }) status!: AppointmentStatus;
  @Column('text', { name: 'cancel_reason', nullable: true }) cancelReason!: string | null;
  @Column('boolean', { name: 'late_cancel', default: false }) lateCancel!: boolean;
  @Column('text', { name: 'override_reason', nullable: true }) overrideReason!: string | null;
  @Column('uuid', { name: 'override_by', nullable: true }) overrideBy!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('appointment_series')
export class AppointmentSeriesEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('text', { name: 'visit_type' }) visitType!: string;
  @Column('text') frequency!: Frequency;
  @Column('timestamptz', { name: 'first_starts_at' }) firstStartsAt!: Date;
  @Column('time', { name: 'local_time' }) localTime!: string;
  @Column('text') timezone!: string;
  @Column('uuid', { name: 'care_plan_id', nullable: true }) carePlanId!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
