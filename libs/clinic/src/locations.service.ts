import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { LocationClosureEntity, LocationEntity } from '@app/database';
import { DomainError, isValidZone } from '@app/domain';
import { AuditService } from '@app/audit';
import type { Actor } from '@app/auth';

export interface LocationView {
  id: string;
  name: string;
  timezone: string;
  address: string | null;
  phone: string | null;
}

const view = (l: LocationEntity): LocationView => ({
  id: l.id,
  name: l.name,
  timezone: l.timezone,
  address: l.address,
  phone: l.phone,
});

@Injectable()
export class LocationsService {
  constructor(
    @InjectRepository(LocationEntity) private readonly locations: Repository<LocationEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(
    actor: Actor,
    input: { name: string; timezone: string; address?: string; phone?: string },
  ): Promise<LocationView> {
    if (!isValidZone(input.timezone)) {
      throw DomainError.validation(
        'timezone',
        'iana_zone',
        `${input.timezone} is not an IANA time zone`,
      );
    }
    return this.db.transaction(async (em) => {
      const saved = await em.getRepository(LocationEntity).save({
        name: input.name,
        timezone: input.timezone,
        address: input.address ?? null,
        phone: input.phone ?? null,
      });
      await this.audit.record(
        actor,
        { action: 'create', entity: 'location', entityId: saved.id },
        em,
      );
      return view(saved);
    });
  }

  async list(): Promise<LocationView[]> {
    return (await this.locations.find({ order: { name: 'ASC' } })).map(view);
  }

  async get(id: string): Promise<LocationEntity> {
    const location = await this.locations.findOneBy({ id });
    if (!location) throw DomainError.notFound('location', id);
    return location;
  }

  async closures(id: string): Promise<string[]> {
    await this.get(id);
    const rows = await this.db
      .getRepository(LocationClosureEntity)
      .find({ where: { locationId: id }, order: { closedOn: 'ASC' } });
    return rows.map((r) => r.closedOn);
  }

  /** Replaces the closure list as a whole (PUT semantics). */
  async setClosures(actor: Actor, id: string, dates: string[]): Promise<string[]> {
    await this.get(id);
    const unique = [...new Set(dates)].sort();
    await this.db.transaction(async (em) => {
      await em.delete(LocationClosureEntity, { locationId: id });
      if (unique.length)
        await em.insert(
          LocationClosureEntity,
          unique.map((closedOn) => ({ locationId: id, closedOn })),
        );
      await this.audit.record(
        actor,
        { action: 'update', entity: 'location_closures', entityId: id, details: { dates: unique } },
        em,
      );
    });
    return unique;
  }
}
