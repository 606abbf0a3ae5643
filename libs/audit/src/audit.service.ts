import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { AuditEventEntity } from '@app/database';
import type { Actor } from '@app/auth';

export type AuditAction =
  | 'create'
  | 'read'
  | 'update'
  | 'delete'
  | 'list'
  | 'transition'
  | 'override'
  | 'reschedule'
  | 'resolve'
  | 'scan';

export interface AuditEntry {
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  /** Ids and codes only: audit rows are read by admins, but PHI stays in its own tables. */
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
  ) {}

  /** Pass the transaction's manager so the audit row commits (or not) with the change. */
  async record(actor: Actor, entry: AuditEntry, em?: EntityManager): Promise<void> {
    await this.recordMany(actor, [entry], em);
  }

  async recordMany(actor: Actor, entries: AuditEntry[], em?: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    const repo = em ? em.getRepository(AuditEventEntity) : this.events;
    await repo.insert(
      entries.map((entry) => ({
        actorId: actor.userId,
        actorRole: actor.role,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId ?? null,
        requestId: actor.requestId ?? null,
        details: entry.details ?? null,
      })),
    );
  }

  async list(filter: {
    entityId?: string;
    limit: number;
    beforeId?: string;
  }): Promise<AuditEventEntity[]> {
    const qb = this.events.createQueryBuilder('e').orderBy('e.id', 'DESC').limit(filter.limit);
    if (filter.entityId) qb.andWhere('e.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.beforeId) qb.andWhere('e.id < :beforeId', { beforeId: filter.beforeId });
    return qb.getMany();
  }
}
