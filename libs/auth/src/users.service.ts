import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PG, pgErrorCode, ProviderEntity, UserEntity, type UserRole } from '@app/database';
import { DomainError } from '@app/domain';
import { hashPassword } from './passwords';

export interface NewUser {
  email: string;
  password: string;
  role: UserRole;
  providerId?: string | null;
}

export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  providerId: string | null;
  active: boolean;
  createdAt: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    providerId: user.providerId,
    active: user.active,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(ProviderEntity) private readonly providers: Repository<ProviderEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(input: NewUser): Promise<UserView> {
    const providerId = input.providerId ?? null;
    if (input.role === 'clinician' && !providerId) {
      throw DomainError.validation(
        'providerId',
        'required',
        'providerId is required for a clinician',
      );
    }
    if (input.role !== 'clinician' && providerId) {
      throw DomainError.validation(
        'providerId',
        'forbidden',
        'only a clinician is linked to a provider',
      );
    }
    if (providerId && !(await this.providers.existsBy({ id: providerId }))) {
      throw DomainError.validation('providerId', 'exists', `provider ${providerId} does not exist`);
    }
    try {
      const saved = await this.users.save(
        this.users.create({
          email: input.email.trim().toLowerCase(),
          passwordHash: await hashPassword(input.password),
          role: input.role,
          providerId,
        }),
      );
      return toUserView(saved);
    } catch (error) {
      if (pgErrorCode(error) === PG.uniqueViolation) {
        throw new DomainError('CONFLICT', 'A user with this email already exists', {
          errors: [{ field: 'email', rule: 'unique', message: 'email is already registered' }],
        });
      }
      throw error;
    }
  }

  /**
   * First start: with no admin yet, create the one named by the bootstrap variables
   * (a seed may already have added staff accounts, so "no admin", not "no user").
   */
  async ensureBootstrapAdmin(): Promise<void> {
    const email = this.config.BOOTSTRAP_ADMIN_EMAIL;
    const password = this.config.BOOTSTRAP_ADMIN_PASSWORD;
    if (!email || !password) return;
    if (await this.users.existsBy({ role: 'admin' })) return;
    try {
      await this.create({ email, password, role: 'admin' });
      this.logger.log('bootstrap admin created');
    } catch (error) {
      // Two API instances starting together: the other one created it.
      if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
    }
  }
}
