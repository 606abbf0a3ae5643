import { loadConfigOrExit } from '@app/config';
import { createWorkerApp } from './bootstrap';

void (async () => {
  await createWorkerApp(loadConfigOrExit());
})();
