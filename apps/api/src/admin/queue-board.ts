import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '@app/auth';
import { DomainError } from '@app/domain';
import { problem, STATUS_BY_CODE } from '../http/problem';
import { JobProducer, QUEUES } from '@app/queue';

export const BOARD_PATH = '/admin/queues';
const COOKIE = 'clinic_board';

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  const match = header
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : undefined;
}

/**
 * Bull Board for operators, admins only. A browser cannot send a bearer header when it
 * follows a link, so `?token=<access token>` is accepted once and traded for an
 * HttpOnly cookie scoped to the board's path.
 */
export async function mountQueueBoard(app: NestFastifyApplication): Promise<void> {
  const producer = app.get(JobProducer);
  const auth = app.get(AuthService);
  const board = new BoardAdapter();
  board.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map(
      (name) => new BullMQAdapter(producer.queue(name), { readOnlyMode: false }),
    ),
    serverAdapter: board,
  });

  await app.register(
    async (instance: FastifyInstance) => {
      // Outside Nest's routing, so the guard and the problem filter do not apply: same rules, by hand.
      instance.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const query = request.query as { token?: string };
        const header = request.headers.authorization;
        const token = header?.startsWith('Bearer ')
          ? header.slice(7)
          : (query.token ?? cookie(request, COOKIE));
        try {
          if (!token)
            throw new DomainError(
              'UNAUTHENTICATED',
              'Send an admin access token (Authorization: Bearer, or ?token= once)',
            );
          const actor = await auth.verify(token);
          if (actor.role !== 'admin') throw DomainError.forbidden('The queue board is for admins');
        } catch (error) {
          const e =
            error instanceof DomainError
              ? error
              : new DomainError('UNAUTHENTICATED', 'Invalid token');
          const status = STATUS_BY_CODE[e.code];
          return reply
            .code(status)
            .header('content-type', 'application/problem+json; charset=utf-8')
            .send(problem(status, e.code, e.detail));
        }
        if (query.token) {
          void reply.header(
            'set-cookie',
            `${COOKIE}=${encodeURIComponent(query.token)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=3600`,
          );
        }
      });
      await instance.register(board.registerPlugin());
    },
    { prefix: BOARD_PATH },
  );
}
