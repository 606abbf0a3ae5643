import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity, type UserRole } from '@app/database';
import { CLOCK } from '@app/config';
import { DomainError, type Clock } from '@app/domain';
import type { Actor } from './actor';
import { LoginLimiter } from './login-limiter';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { toUserView, type UserView } from './users.service';

interface TokenClaims {
  sub: string;
  role: UserRole;
  pid: string | null;
  exp?: number;
}

/** Verified tokens remembered; the oldest is forgotten first when full. */
const VERIFIED_CACHE_SIZE = 10_000;

@Injectable()
export class AuthService {
  /**
   * A client sends the same token with every request. Its signature, once checked, stays
   * valid until it expires, so the check (an HMAC and a JSON parse, about 4 % of a
   * booking's API CPU) is done once per token; expiry is still checked on every request.
   */
  private readonly verified = new Map<string, { actor: Actor; expiresAtMs: number }>();

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(LoginLimiter) private readonly limiter: LoginLimiter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async login(
    email: string,
    password: string,
    ip: string,
  ): Promise<{ accessToken: string; user: UserView }> {
    await this.limiter.hit(ip, email);
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email: email.trim() })
      .getOne();
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) {
      throw new DomainError('UNAUTHENTICATED', 'Email or password is wrong');
    }
    const claims: TokenClaims = { sub: user.id, role: user.role, pid: user.providerId };
    return { accessToken: await this.jwt.signAsync(claims), user: toUserView(user) };
  }

  /** Token → actor; any defect is UNAUTHENTICATED, never a 500. */
  async verify(token: string): Promise<Actor> {
    const known = this.verified.get(token);
    if (known && this.clock.now().toMillis() < known.expiresAtMs) return known.actor;
    this.verified.delete(token);
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'The access token is missing, malformed or expired');
    }
    const actor: Actor = { userId: claims.sub, role: claims.role, providerId: claims.pid };
    if (claims.exp !== undefined) {
      if (this.verified.size >= VERIFIED_CACHE_SIZE)
        this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { actor, expiresAtMs: claims.exp * 1000 });
    }
    return actor;
  }
}
