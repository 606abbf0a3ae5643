import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { AuditEventEntity } from '@app/database';
import type { Actor } from '@app/auth';
import { auditInsertSql, auditRowsJson, type AuditEntry } from './audit-rows';

@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
  ) {}

  /** Pass the transaction's manager so the audit row commits (or not) with the change. */
  async record(actor: Actor, entry: AuditEntry, em?: EntityManager): Promise<void> {
    await this.recordMany(actor, [entry], em);
  }

  /** One statement for all entries, on the caller's transaction when `em` is given. */
  async recordMany(actor: Actor, entries: AuditEntry[], em?: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    await (em ?? this.events.manager).query(auditInsertSql('$1'), [auditRowsJson(actor, entries)]);
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
