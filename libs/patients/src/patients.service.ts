import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { decodeCursor, PatientEntity, toPage, type Page } from '@app/database';
import { DomainError, isValidZone } from '@app/domain';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { ReminderPlanner, ReminderQueue, type PendingReminder } from '@app/reminders';

export interface PatientInput {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phone?: string | null;
  email?: string | null;
  timezone?: string | null;
  consent: { sms: boolean; email: boolean };
  status?: 'active' | 'discharged';
}

export interface PatientView {
  id: string;
  mrn: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phone: string | null;
  email: string | null;
  timezone: string | null;
  consent: { sms: boolean; email: boolean };
  status: 'active' | 'discharged';
  createdAt: string;
  updatedAt: string;
}

export const patientView = (p: PatientEntity): PatientView => ({
  id: p.id,
  mrn: p.mrn,
  firstName: p.firstName,
  lastName: p.lastName,
  dateOfBirth: p.dateOfBirth,
  phone: p.phone,
  email: p.email,
  timezone: p.timezone,
  consent: { sms: p.consentSms, email: p.consentEmail },
  status: p.status,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

@Injectable()
export class PatientsService {
  constructor(
    @InjectRepository(PatientEntity) private readonly patients: Repository<PatientEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly reminders: ReminderPlanner,
    private readonly reminderQueue: ReminderQueue,
  ) {}

  async create(actor: Actor, input: PatientInput): Promise<PatientView> {
    this.assertZone(input.timezone);
    return this.db.transaction(async (em) => {
      const repo = em.getRepository(PatientEntity);
      const { identifiers } = await repo.insert({
        firstName: input.firstName.trim(),
        lastName: input.lastName.trim(),
        dateOfBirth: input.dateOfBirth,
        phone: input.phone ?? null,
        email: input.email?.toLowerCase() ?? null,
        timezone: input.timezone ?? null,
        consentSms: input.consent.sms,
        consentEmail: input.consent.email,
        status: input.status ?? 'active',
      });
      const id = String(identifiers[0]?.id);
      await this.audit.record(actor, { action: 'create', entity: 'patient', entityId: id }, em);
      return patientView(await repo.findOneByOrFail({ id }));
    });
  }

  async update(actor: Actor, id: string, patch: Partial<PatientInput>): Promise<PatientView> {
    await this.assertAccess(actor, id);
    this.assertZone(patch.timezone);
    let replanned: { cancelled: string[]; pending: PendingReminder[] } = {
      cancelled: [],
      pending: [],
    };
    const updated = await this.db.transaction(async (em) => {
      const repo = em.getRepository(PatientEntity);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw DomainError.notFound('patient', id);
      await repo.update(
        { id },
        {
          ...(patch.firstName !== undefined && { firstName: patch.firstName.trim() }),
          ...(patch.lastName !== undefined && { lastName: patch.lastName.trim() }),
          ...(patch.dateOfBirth !== undefined && { dateOfBirth: patch.dateOfBirth }),
          ...(patch.phone !== undefined && { phone: patch.phone }),
          ...(patch.email !== undefined && { email: patch.email?.toLowerCase() ?? null }),
          ...(patch.timezone !== undefined && { timezone: patch.timezone }),
          ...(patch.consent && {
            consentSms: patch.consent.sms,
            consentEmail: patch.consent.email,
          }),
          ...(patch.status !== undefined && { status: patch.status }),
        },
      );
      await this.audit.record(
        actor,
        {
          action: 'update',
          entity: 'patient',
          entityId: id,
          details: { fields: Object.keys(patch) },
        },
        em,
      );
      // Consent, contact details or zone decide which reminders go out and when.
      if (
        patch.consent ||
        patch.phone !== undefined ||
        patch.email !== undefined ||
        patch.timezone !== undefined
      ) {
        replanned = await this.reminders.replan(em, { patientId: id });
      }
      return patientView(await repo.findOneByOrFail({ id }));
    });
    this.reminderQueue.handOver(replanned);
    return updated;
  }

  async get(actor: Actor, id: string): Promise<PatientView> {
    await this.assertAccess(actor, id);
    const patient = await this.patients.findOneBy({ id });
    if (!patient) throw DomainError.notFound('patient', id);
    await this.audit.record(actor, { action: 'read', entity: 'patient', entityId: id });
    return patientView(patient);
  }

  /**
   * Search by MRN (exact), birth date (YYYY-MM-DD) or name prefix ("smi", "smith j",
   * "john smith"); ordered by last name. A clinician only finds their own patients.
   */
  async search(
    actor: Actor,
    query: { search?: string; limit: number; cursor?: string; status?: string },
  ): Promise<Page<PatientView>> {
    const after = decodeCursor(query.cursor, 2);
    const qb = this.patients
      .createQueryBuilder('p')
      .orderBy('lower(p.last_name)', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .limit(query.limit + 1);
    const term = query.search?.trim();
    if (term) {
      if (/^MRN\d+$/i.test(term)) qb.andWhere('p.mrn = :mrn', { mrn: term.toUpperCase() });
      else if (/^\d{4}-\d{2}-\d{2}$/.test(term))
        qb.andWhere('p.date_of_birth = :dob', { dob: term });
      else {
        const words = term
          .toLowerCase()
          .split(/[\s,]+/)
          .filter(Boolean)
          .slice(0, 3);
        words.forEach((word, i) => {
          const like = `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          qb.andWhere(`(lower(p.last_name) LIKE :w${i} OR lower(p.first_name) LIKE :w${i})`, {
            [`w${i}`]: like,
          });
        });
      }
    }
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    if (after)
      qb.andWhere('(lower(p.last_name), p.id) > (:k0, :k1)', { k0: after[0], k1: after[1] });
    if (!isStaff(actor)) {
      qb.andWhere(
        `(EXISTS (SELECT 1 FROM care_plans c WHERE c.patient_id = p.id AND c.provider_id = :pid)
          OR EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.provider_id = :pid))`,
        { pid: actor.providerId },
      );
    }
    const rows = await qb.getMany();
    const page = toPage(rows, query.limit, (p) => [p.lastName.toLowerCase(), p.id], patientView);
    await this.audit.recordMany(
      actor,
      page.items.map((p) => ({ action: 'list', entity: 'patient', entityId: p.id })),
    );
    return page;
  }

  /** Staff reach every patient; a clinician only those whose care plan or visit is theirs. */
  async assertAccess(actor: Actor, patientId: string): Promise<void> {
    if (isStaff(actor)) {
      if (!(await this.patients.existsBy({ id: patientId })))
        throw DomainError.notFound('patient', patientId);
      return;
    }
    const [row] = await this.db.query<{ exists: boolean; mine: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM patients WHERE id = $1) AS exists,
              (EXISTS (SELECT 1 FROM care_plans WHERE patient_id = $1 AND provider_id = $2)
               OR EXISTS (SELECT 1 FROM appointments WHERE patient_id = $1 AND provider_id = $2)) AS mine`,
      [patientId, actor.providerId],
    );
    if (!row?.exists) throw DomainError.notFound('patient', patientId);
    if (!row.mine) throw DomainError.forbidden('This patient is not on your panel');
  }

  private assertZone(zone: string | null | undefined): void {
    if (zone && !isValidZone(zone))
      throw DomainError.validation('timezone', 'iana_zone', `${zone} is not an IANA time zone`);
  }
}
