import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A round trip API → Redis → worker → Postgres that operators can trigger and watch. */
@Entity('queue_probes')
export class QueueProbeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' }) requestedAt!: Date;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt!: Date | null;
  @Column('text', { name: 'processed_by', nullable: true }) processedBy!: string | null;
}
