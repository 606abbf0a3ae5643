import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PG, pgErrorCode, VisitTypeEntity } from '@app/database';
import { DomainError, type ProviderRole } from '@app/domain';
import { AuditService } from '@app/audit';
import type { Actor } from '@app/auth';

export interface VisitTypeView {
  code: string;
  name: string;
  durationMinutes: number;
  requiredRole: ProviderRole;
  track: 'medication' | 'therapy' | null;
}

const view = (v: VisitTypeEntity): VisitTypeView => ({
  code: v.code,
  name: v.name,
  durationMinutes: v.durationMinutes,
  requiredRole: v.requiredRole,
  track: v.track,
});

@Injectable()
export class VisitTypesService {
  /** The catalog is tiny and read on every booking; cached, refreshed on write. */
  private cache: Map<string, VisitTypeView> | null = null;

  constructor(
    @InjectRepository(VisitTypeEntity) private readonly visitTypes: Repository<VisitTypeEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<VisitTypeView[]> {
    return [...(await this.catalog()).values()];
  }

  async get(code: string): Promise<VisitTypeView> {
    const found = (await this.catalog()).get(code) ?? (await this.reload()).get(code);
    if (!found)
      throw DomainError.validation('visitType', 'exists', `visit type ${code} does not exist`);
    return found;
  }

  async create(actor: Actor, input: VisitTypeView): Promise<VisitTypeView> {
    try {
      const saved = await this.visitTypes.save(this.visitTypes.create(input));
      await this.audit.record(actor, {
        action: 'create',
        entity: 'visit_type',
        details: { code: saved.code },
      });
      this.cache = null;
      return view(saved);
    } catch (error) {
      if (pgErrorCode(error) === PG.uniqueViolation) {
        throw new DomainError('CONFLICT', `visit type ${input.code} already exists`, {
          errors: [{ field: 'code', rule: 'unique', message: 'code is taken' }],
        });
      }
      throw error;
    }
  }

  private async catalog(): Promise<Map<string, VisitTypeView>> {
    return this.cache ?? this.reload();
  }

  private async reload(): Promise<Map<string, VisitTypeView>> {
    const rows = await this.visitTypes.find({ order: { code: 'ASC' } });
    this.cache = new Map(rows.map((r) => [r.code, view(r)]));
    return this.cache;
  }
}
