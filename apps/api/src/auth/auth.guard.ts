import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService } from '@app/auth';
import { DomainError } from '@app/domain';
import { ACCESS_KEY, type Access, type AuthedRequest } from './access.decorators';

/** Global guard: authenticates the bearer token, then checks the route's declared roles. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access && 'public' in access) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token)
      throw new DomainError(
        'UNAUTHENTICATED',
        'Send an access token: Authorization: Bearer <token>',
      );
    const actor = await this.auth.verify(token);
    request.actor = { ...actor, requestId: String(request.id) };
    if (!access) throw DomainError.forbidden('This route declares no access rule');
    if (!access.roles.includes(actor.role))
      throw DomainError.forbidden(`This action is for ${access.roles.join(', ')} only`);
    return true;
  }
}
