import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/domain';
import { problem, STATUS_BY_CODE, type ProblemBody } from './problem';

interface FastifyErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * The one place where failures become HTTP: domain codes map to statuses, framework
 * errors (bad JSON, wrong content type, body too large, unknown route) to their 4xx,
 * anything else to a 500 whose detail is logged with the request id and never sent.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = {
      ...this.toProblem(error, request),
      instance: request.url,
      requestId: String(request.id),
    };
    void reply
      .status(body.status)
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(body);
  }

  private toProblem(error: unknown, request: FastifyRequest): ProblemBody {
    if (error instanceof DomainError) {
      return problem(STATUS_BY_CODE[error.code], error.code, error.detail, error.extras);
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status < 500) return problem(status, codeForStatus(status), error.message);
    }
    const fastify = error as FastifyErrorLike;
    if (
      typeof fastify?.statusCode === 'number' &&
      fastify.statusCode >= 400 &&
      fastify.statusCode < 500
    ) {
      const status =
        fastify.statusCode === 400 || fastify.statusCode === 413 || fastify.statusCode === 415
          ? fastify.statusCode
          : 400;
      return problem(status, 'VALIDATION', describeFastifyError(fastify), {
        errors: [
          {
            field: 'body',
            rule: fastify.code ?? 'invalid',
            message: describeFastifyError(fastify),
          },
        ],
      });
    }
    this.logger.error({ err: error, requestId: request.id }, 'unhandled error');
    return problem(
      500,
      'INTERNAL',
      'Something went wrong on our side; the request id identifies it in the logs.',
    );
  }
}

function codeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 429:
      return 'RATE_LIMITED';
    default:
      return 'VALIDATION';
  }
}

function describeFastifyError(error: FastifyErrorLike): string {
  switch (error.code ?? '') {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'The body must be JSON (Content-Type: application/json)';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty but Content-Type says JSON';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'Content-Length does not match the body';
    default:
      return error.message?.startsWith('Unexpected') || error.message?.includes('JSON')
        ? 'The body is not valid JSON'
        : (error.message ?? 'Bad request');
  }
}
