import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Frequency } from '@app/domain';

export type CarePlanTrack = 'medication' | 'therapy';
export type CarePlanState = 'active' | 'paused' | 'ended';

@Entity('care_plans')
export class CarePlanEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('text') track!: CarePlanTrack;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('smallint', { name: 'interval_weeks', nullable: true }) intervalWeeks!: number | null;
  @Column('text', { nullable: true }) frequency!: Frequency | null;
  @Column('date', { name: 'last_visit_on', nullable: true }) lastVisitOn!: string | null;
  @Column('date', { name: 'starts_on' }) startsOn!: string;
  @Column('text', { default: 'active' }) status!: CarePlanState;
  /** Kept by the database from the patient's visits of the track (migration 1764000000004). */
  @Column({
    type: 'timestamptz',
    name: 'last_completed_at',
    nullable: true,
    insert: false,
    update: false,
  })
  lastCompletedAt!: Date | null;
  @Column({
    type: 'timestamptz',
    name: 'last_booked_at',
    nullable: true,
    insert: false,
    update: false,
  })
  lastBookedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('care_plan_changes')
export class CarePlanChangeEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'care_plan_id' }) carePlanId!: string;
  @CreateDateColumn({ name: 'changed_at', type: 'timestamptz' }) changedAt!: Date;
  @Column('uuid', { name: 'changed_by', nullable: true }) changedBy!: string | null;
  @Column('smallint', { name: 'interval_weeks', nullable: true }) intervalWeeks!: number | null;
  @Column('text', { nullable: true }) frequency!: Frequency | null;
  @Column('text') status!: CarePlanState;
  @Column('uuid', { name: 'provider_id' }) providerId!: string;
  @Column('text', { nullable: true }) note!: string | null;
}
