import cluster from 'node:cluster';
import { loadConfigOrExit } from '@app/config';
import { superviseApiProcesses } from './api-processes';
import { createApiApp } from './bootstrap';
import { createLogger } from './http/logging';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.API_PROCESSES > 1 && cluster.isPrimary) {
    superviseApiProcesses(config.API_PROCESSES, createLogger(config));
    return;
  }
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

void main();
