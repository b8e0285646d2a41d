/**
 * npm run grant-admin -- <email> [--revoke]: gives a dashboard user the `admin` custom claim (or
 * takes it away), keeping the user's other claims. Runs against the project of GCLOUD_PROJECT or
 * .firebaserc with application default credentials (an account with the Firebase Authentication
 * Admin role), or the Auth emulator named by FIREBASE_AUTH_EMULATOR_HOST. See docs/security.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The claims to set: the others kept, `admin` true, or removed on revoke. */
export function claimsAfter(existing: Record<string, unknown> | undefined, revoke: boolean): Record<string, unknown> {
  const claims = { ...(existing ?? {}) };
  if (revoke) delete claims.admin;
  else claims.admin = true;
  return claims;
}

async function main(argv: string[]): Promise<number> {
  const email = argv.find((arg) => !arg.startsWith('--'));
  const revoke = argv.includes('--revoke');
  if (!email || argv.some((arg) => arg.startsWith('--') && arg !== '--revoke')) {
    process.stderr.write('Usage: npm run grant-admin -- <email> [--revoke]\n');
    return 2;
  }
  const rc = [resolve(process.cwd(), '.firebaserc'), resolve(process.cwd(), '..', '.firebaserc')].find((path) => existsSync(path));
  const project =
    process.env.GCLOUD_PROJECT ?? (rc ? (JSON.parse(readFileSync(rc, 'utf8')) as { projects?: { default?: string } }).projects?.default : undefined);
  if (!project) {
    process.stderr.write('No project: set GCLOUD_PROJECT or run npm run firebase -- use <project-id> --alias default\n');
    return 2;
  }
  const { initializeApp } = await import('firebase-admin/app');
  const { getAuth } = await import('firebase-admin/auth');
  initializeApp({ projectId: project });
  const auth = getAuth();
  const user = await auth.getUserByEmail(email);
  await auth.setCustomUserClaims(user.uid, claimsAfter(user.customClaims, revoke));
  // A revoked admin's refresh tokens go too: the ID token already issued lasts at most an hour.
  if (revoke) await auth.revokeRefreshTokens(user.uid);
  process.stdout.write(
    `${email} (${user.uid}) in ${project}: admin ${revoke ? 'revoked' : 'granted'}; it applies from the next sign-in (or token refresh) in the dashboard.\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`grant-admin failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
