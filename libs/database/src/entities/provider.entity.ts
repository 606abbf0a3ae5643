import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { BlockModality, ProviderRole } from '@app/domain';

@Entity('providers')
export class ProviderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { array: true }) credentials!: string[];
  @Column('text', { array: true }) roles!: ProviderRole[];
  @Column('uuid', { name: 'location_id' }) locationId!: string;
  @Column('char', { length: 10, nullable: true }) npi!: string | null;
  @Column('boolean', { default: true }) active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('working_blocks')
export class WorkingBlockEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('smallint') weekday!: number;
  /** Local wall-clock 'HH:mm:ss' in the location's zone. */
  @Column('time', { name: 'start_time' }) startTime!: string;
  @Column('time', { name: 'end_time' }) endTime!: string;
  @Column('uuid', { name: 'location_id' }) locationId!: string;
  @Column('text', { default: 'any' }) modality!: BlockModality;
}

@Entity('time_off')
export class TimeOffEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('timestamptz', { name: 'starts_at' }) startsAt!: Date;
  @Column('timestamptz', { name: 'ends_at' }) endsAt!: Date;
  @Column('text') reason!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('visit_types')
export class VisitTypeEntity {
  @Column('text', { primary: true }) code!: string;
  @Column('text') name!: string;
  @Column('integer', { name: 'duration_minutes' }) durationMinutes!: number;
  @Column('text', { name: 'required_role' }) requiredRole!: ProviderRole;
  @Column('text', { nullable: true }) track!: 'medication' | 'therapy' | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
