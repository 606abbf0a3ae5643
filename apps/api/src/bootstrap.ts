import 'reflect-metadata';
import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@app/config';
import type { Clock } from '@app/domain';
import { httpDuration } from '@app/health';
import { mountQueueBoard } from './admin/queue-board';
import { ApiModule } from './api.module';
import { createLogger, logRequests } from './http/logging';
import { createValidationPipe } from './http/validation.pipe';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP app (used by main.ts and by the end-to-end tests). */
export async function createApiApp(
  config: AppConfig,
  clock?: Clock,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 256 * 1024,
    trustProxy: config.TRUST_PROXY,
    // One id per request for Fastify, the logs and the response header; a caller's own
    // well-formed X-Request-Id is kept so traces join up across services.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      req.headers['x-request-id'] = id;
      return id;
    },
  });
  const logger = createLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, logger, clock),
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  await app.register(helmet, { contentSecurityPolicy: false });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  logRequests(fastify, logger);

  await mountQueueBoard(app);

  const document = finishDocument(SwaggerModule.createDocument(app, openApiConfig()));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/**
 * Two things the decorators cannot say: public operations are explicitly public
 * (`security: []`), and error bodies are application/problem+json, as sent.
 */
function finishDocument(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, OperationObject>)) {
      if (typeof operation !== 'object' || !('responses' in operation)) continue;
      operation.security ??= [];
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = (response as ResponseObject).content;
        if (Number(status) >= 400 && content?.['application/json']) {
          content['application/problem+json'] = content['application/json'];
          delete content['application/json'];
        }
      }
    }
  }
  return document;
}

function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Clinic scheduling API')
    .setDescription(
      'Scheduling backend for outpatient mental-health clinics. Errors are application/problem+json (RFC 9457) with a `code`.',
    )
    .setVersion('0.1.0')
    .setLicense('Proprietary', 'https://clinic.example/license')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addServer('/')
    .build();
}
