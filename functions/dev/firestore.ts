/**
 * npm run firestore [-- --port <n>]: a local Firestore (the embedded emulator) for `npm run monitor`
 * and other tools, until Ctrl-C. stdout gets only the shell lines that point a terminal at it:
 *
 *   export FIRESTORE_EMULATOR_HOST=127.0.0.1:8080
 *   export GCLOUD_PROJECT=demo-monitoring
 *
 * Data lives in memory and is gone when it stops. Default port 8080 (the Firestore port of firebase.json's
 * emulators); `--port 0` picks a free one.
 */
import { parseArgs } from 'node:util';
import { startFirestore } from './emulator';

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { port: { type: 'string', default: '8080' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number (0-65535; 0 picks a free one)`);
  // Always the embedded emulator: an inherited FIRESTORE_EMULATOR_HOST would make startFirestore reuse that one.
  delete process.env.FIRESTORE_EMULATOR_HOST;
  let firestore;
  try {
    firestore = await startFirestore({ port });
  } catch (error) {
    throw new Error(`Could not listen on 127.0.0.1:${port} (${(error as Error).message}); choose another with --port <n>, or --port 0 for a free one`, {
      cause: error,
    });
  }
  process.stdout.write(`export FIRESTORE_EMULATOR_HOST=${firestore.host}\nexport GCLOUD_PROJECT=demo-monitoring\n`);
  process.stderr.write(
    `Embedded Firestore emulator listening on ${firestore.host} (in memory). Run the lines above in the terminal that runs npm run monitor. Ctrl-C stops it.\n`,
  );
  const stop = () => {
    void firestore.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
