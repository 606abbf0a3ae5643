import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { createDataSource, runMigrations } from '@app/database';
import { seedDemoClinic } from './seed-demo';

const USAGE = 'usage: cli <migrate|seed>';

/** Operator commands: `migrate` (safe to run from several processes at once) and `seed` (demo clinic). */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'migrate' && command !== 'seed') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const dataSource = createDataSource({
    url: config.DATABASE_URL,
    poolSize: 4,
    applicationName: `clinic-cli-${command}`,
    // A migration that backfills or indexes a large table may rightly take minutes.
    statementTimeoutMs: command === 'migrate' ? 0 : undefined,
  });
  await dataSource.initialize();
  try {
    if (command === 'migrate') {
      const applied = await runMigrations(dataSource);
      process.stdout.write(
        applied.length
          ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n`
          : 'schema is up to date\n',
      );
    } else {
      process.stdout.write(await seedDemoClinic(dataSource, config));
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
