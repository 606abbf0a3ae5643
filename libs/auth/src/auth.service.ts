import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity, type UserRole } from '@app/database';
import { DomainError } from '@app/domain';
import type { Actor } from './actor';
import { LoginLimiter } from './login-limiter';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { toUserView, type UserView } from './users.service';

interface TokenClaims {
  sub: string;
  role: UserRole;
  pid: string | null;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(LoginLimiter) private readonly limiter: LoginLimiter,
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
    try {
      const claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
      return { userId: claims.sub, role: claims.role, providerId: claims.pid };
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'The access token is missing, malformed or expired');
    }
  }
}
