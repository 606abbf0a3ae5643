import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@app/auth';
import type { UserRole } from '@app/database';
import { ProblemDto } from '../http/problem.dto';

export const ACCESS_KEY = 'access';
export type Access = { public: true } | { roles: readonly UserRole[] };

/** Anyone, no token. */
export const Public = () => SetMetadata(ACCESS_KEY, { public: true } satisfies Access);

/** Only these roles; every non-public route must say which (the guard refuses routes that don't). */
export const Roles = (...roles: UserRole[]) =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { roles } satisfies Access),
    ApiBearerAuth(),
    // Machine-readable for clients and for the test that checks every route's access rule.
    ApiExtension('x-roles', [...roles]),
    ApiUnauthorizedResponse({
      type: ProblemDto,
      description: 'Missing, malformed or expired token',
    }),
    ApiForbiddenResponse({ type: ProblemDto, description: `Only ${roles.join(', ')}` }),
  );

export const ALL_ROLES: UserRole[] = ['admin', 'front_desk', 'clinician'];

export type AuthedRequest = FastifyRequest & { actor?: Actor };

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!request.actor) throw new Error('CurrentActor used on a public route');
  return request.actor;
});
