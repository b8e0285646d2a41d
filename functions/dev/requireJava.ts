/**
 * npm run test:rules starts the official Firestore emulator through firebase-tools, which needs Java 21
 * or later (firebase-tools 15 refuses older ones). This checks first and says so plainly, instead of
 * letting the emulator fail with a stack trace.
 */
import { spawnSync } from 'node:child_process';

export const REQUIRED_JAVA = 21;

/** The major version in `java -version` output (`openjdk version "21.0.5"`, `java version "1.8.0_392"` is 8), or null. */
export function javaMajor(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Null when Java is recent enough, otherwise the message that says what to do. */
export function javaProblem(versionOutput: string | null): string | null {
  const help = `The security rules tests run the official Firestore emulator, which needs Java ${REQUIRED_JAVA} or later (for example Eclipse Temurin ${REQUIRED_JAVA}: https://adoptium.net); put it first on PATH or set JAVA_HOME.`;
  if (versionOutput === null) return `Java not found. ${help}`;
  const major = javaMajor(versionOutput);
  if (major === null) return `Could not read the Java version from \`java -version\`: ${versionOutput.split('\n')[0]}. ${help}`;
  return major < REQUIRED_JAVA ? `Java ${major} found; Java ${REQUIRED_JAVA} or later is required. ${help}` : null;
}

if (require.main === module) {
  const java = process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const problem = javaProblem(result.error ? null : `${result.stderr}${result.stdout}`);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
