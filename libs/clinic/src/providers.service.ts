import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import {
  LocationEntity,
  PG,
  pgErrorCode,
  ProviderEntity,
  TimeOffEntity,
  WorkingBlockEntity,
} from '@app/database';
import {
  DomainError,
  roleCredentialErrors,
  type BlockModality,
  type ProviderRole,
} from '@app/domain';
import { AuditService } from '@app/audit';
import type { Actor } from '@app/auth';

export interface ProviderInput {
  name: string;
  credentials: string[];
  roles: ProviderRole[];
  locationId: string;
  npi?: string | null;
  active?: boolean;
}

export interface ProviderView {
  id: string;
  name: string;
  credentials: string[];
  roles: ProviderRole[];
  locationId: string;
  npi: string | null;
  active: boolean;
}

export interface WorkingBlockInput {
  weekday: number;
  start: string;
  end: string;
  locationId: string;
  modality?: BlockModality;
}

export interface WorkingBlockView extends Required<WorkingBlockInput> {
  id: string;
}

export interface TimeOffView {
  id: string;
  providerId: string;
  startsAt: string;
  endsAt: string;
  reason: string;
}

export const providerView = (p: ProviderEntity): ProviderView => ({
  id: p.id,
  name: p.name,
  credentials: p.credentials,
  roles: p.roles,
  locationId: p.locationId,
  npi: p.npi,
  active: p.active,
});

const hhmm = (time: string): string => time.slice(0, 5);

@Injectable()
export class ProvidersService {
  constructor(
    @InjectRepository(ProviderEntity) private readonly providers: Repository<ProviderEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: ProviderInput): Promise<ProviderView> {
    await this.assertValid(input);
    try {
      return await this.db.transaction(async (em) => {
        const saved = await em.getRepository(ProviderEntity).save({
          name: input.name,
          credentials: input.credentials,
          roles: [...new Set(input.roles)],
          locationId: input.locationId,
          npi: input.npi ?? null,
          active: input.active ?? true,
        });
        await this.audit.record(
          actor,
          { action: 'create', entity: 'provider', entityId: saved.id },
          em,
        );
        return providerView(saved);
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  async update(actor: Actor, id: string, patch: Partial<ProviderInput>): Promise<ProviderView> {
    const current = await this.get(id);
    const next: ProviderInput = {
      name: patch.name ?? current.name,
      credentials: patch.credentials ?? current.credentials,
      roles: patch.roles ?? current.roles,
      locationId: patch.locationId ?? current.locationId,
      npi: patch.npi === undefined ? current.npi : patch.npi,
      active: patch.active ?? current.active,
    };
    await this.assertValid(next);
    try {
      return await this.db.transaction(async (em) => {
        await em
          .getRepository(ProviderEntity)
          .update({ id }, { ...next, roles: [...new Set(next.roles)] });
        await this.audit.record(
          actor,
          {
            action: 'update',
            entity: 'provider',
            entityId: id,
            details: { fields: Object.keys(patch) },
          },
          em,
        );
        return providerView({ ...current, ...next });
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  async list(filter: {
    locationId?: string;
    role?: ProviderRole;
    active?: boolean;
  }): Promise<ProviderView[]> {
    const qb = this.providers
      .createQueryBuilder('p')
      .orderBy('p.name', 'ASC')
      .addOrderBy('p.id', 'ASC');
    if (filter.locationId)
      qb.andWhere('p.location_id = :locationId', { locationId: filter.locationId });
    if (filter.role) qb.andWhere(':role = ANY(p.roles)', { role: filter.role });
    if (filter.active !== undefined) qb.andWhere('p.active = :active', { active: filter.active });
    return (await qb.getMany()).map(providerView);
  }

  async get(id: string): Promise<ProviderEntity> {
    const provider = await this.providers.findOneBy({ id });
    if (!provider) throw DomainError.notFound('provider', id);
    return provider;
  }

  async workingHours(id: string): Promise<WorkingBlockView[]> {
    await this.get(id);
    const rows = await this.db
      .getRepository(WorkingBlockEntity)
      .find({ where: { providerId: id }, order: { weekday: 'ASC', startTime: 'ASC' } });
    return rows.map((b) => ({
      id: b.id,
      weekday: b.weekday,
      start: hhmm(b.startTime),
      end: hhmm(b.endTime),
      locationId: b.locationId,
      modality: b.modality,
    }));
  }

  /** Replaces the weekly template; blocks of one weekday must not overlap. */
  async setWorkingHours(
    actor: Actor,
    id: string,
    blocks: WorkingBlockInput[],
  ): Promise<WorkingBlockView[]> {
    await this.get(id);
    blocks.forEach((block, i) => {
      if (block.start >= block.end) {
        throw DomainError.validation(
          `[${i}].end`,
          'after_start',
          `block ${i}: end ${block.end} must be after start ${block.start}`,
        );
      }
    });
    const sorted = [...blocks].sort(
      (a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start),
    );
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev.weekday === cur.weekday && cur.start < prev.end) {
        throw DomainError.validation(
          'blocks',
          'no_overlap',
          `blocks on weekday ${cur.weekday} overlap (${prev.start}–${prev.end} and ${cur.start}–${cur.end})`,
        );
      }
    }
    await this.assertLocations(
      blocks.map((b) => b.locationId),
      'locationId',
    );
    await this.db.transaction(async (em) => {
      await em.delete(WorkingBlockEntity, { providerId: id });
      if (blocks.length) {
        await em.insert(
          WorkingBlockEntity,
          blocks.map((b) => ({
            providerId: id,
            weekday: b.weekday,
            startTime: b.start,
            endTime: b.end,
            locationId: b.locationId,
            modality: b.modality ?? 'any',
          })),
        );
      }
      await this.audit.record(
        actor,
        {
          action: 'update',
          entity: 'working_hours',
          entityId: id,
          details: { blocks: blocks.length },
        },
        em,
      );
    });
    return this.workingHours(id);
  }

  async addTimeOff(
    actor: Actor,
    id: string,
    input: { startsAt: Date; endsAt: Date; reason: string },
  ): Promise<TimeOffView> {
    await this.get(id);
    if (input.startsAt >= input.endsAt) {
      throw DomainError.validation('endsAt', 'after_start', 'endsAt must be after startsAt');
    }
    return this.db.transaction(async (em) => {
      const saved = await em.getRepository(TimeOffEntity).save({ providerId: id, ...input });
      await this.audit.record(
        actor,
        { action: 'create', entity: 'time_off', entityId: saved.id, details: { providerId: id } },
        em,
      );
      return timeOffView(saved);
    });
  }

  async timeOff(id: string): Promise<TimeOffView[]> {
    await this.get(id);
    const rows = await this.db
      .getRepository(TimeOffEntity)
      .find({ where: { providerId: id }, order: { startsAt: 'ASC' } });
    return rows.map(timeOffView);
  }

  private async assertValid(input: ProviderInput): Promise<void> {
    const problems = roleCredentialErrors(input.credentials, input.roles);
    if (problems.length) {
      throw new DomainError('VALIDATION', problems.join('; '), {
        errors: problems.map((message) => ({ field: 'roles', rule: 'credentials', message })),
      });
    }
    await this.assertLocations([input.locationId], 'locationId');
  }

  private async assertLocations(ids: string[], field: string): Promise<void> {
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const found = await this.db
      .getRepository(LocationEntity)
      .createQueryBuilder('l')
      .where('l.id = ANY(:ids)', { ids: unique })
      .getCount();
    if (found !== unique.length)
      throw DomainError.validation(field, 'exists', 'location does not exist');
  }

  private translate(error: unknown): unknown {
    if (pgErrorCode(error) === PG.uniqueViolation) {
      return new DomainError('CONFLICT', 'Another provider has this NPI', {
        errors: [{ field: 'npi', rule: 'unique', message: 'npi is already registered' }],
      });
    }
    return error;
  }
}

const timeOffView = (t: TimeOffEntity): TimeOffView => ({
  id: t.id,
  providerId: t.providerId,
  startsAt: t.startsAt.toISOString(),
  endsAt: t.endsAt.toISOString(),
  reason: t.reason,
});
