import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import type { Clock } from '@app/domain';
import { WorkerModule } from './worker.module';

/** The worker: an application context (no HTTP) running the queue processors and schedulers. */
export async function createWorkerApp(
  config: AppConfig,
  clock?: Clock,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, clock), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
