/**
 * Firebase setup and the one way the dashboard reads and acts: the admin callables. No Firestore in
 * the browser. The configuration comes from Hosting's reserved URL /__/firebase/init.json (the local
 * server of `npm run dashboard` serves the same file, with the emulators to use).
 */
import { initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, type Auth } from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from 'firebase/functions';

/** Must equal the functions' region (functions/src/config/deployment.ts; test/deployment.test.ts checks it). */
export const REGION = 'europe-west1';

interface InitConfig {
  apiKey: string;
  projectId: string;
  authDomain?: string;
  appId?: string;
  /** Local runs only. */
  emulators?: { auth: string; functions: { host: string; port: number } };
}

let functions: Functions;
export let auth: Auth;
export let app: FirebaseApp;

export async function setup(): Promise<void> {
  const response = await fetch('/__/firebase/init.json');
  if (!response.ok) throw new Error(`Firebase configuration not found (/__/firebase/init.json: HTTP ${response.status}).`);
  const config = (await response.json()) as InitConfig;
  const { emulators, ...options } = config;
  app = initializeApp(options);
  auth = getAuth(app);
  functions = getFunctions(app, REGION);
  if (emulators) {
    connectAuthEmulator(auth, emulators.auth, { disableWarnings: true });
    connectFunctionsEmulator(functions, emulators.functions.host, emulators.functions.port);
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/**
 * The Web SDK appends the HTTP status to the server's message (`... [400]`) and prefixes the code
 * with `functions/`: both are removed, so the person reads the server's sentence as written.
 */
export function cleanMessage(message: string): string {
  return message.replace(/\s*\[\d{3}\]\s*$/, '').trim();
}

export async function call<T>(name: string, data: unknown = {}): Promise<T> {
  try {
    return (await httpsCallable<unknown, T>(functions, name)(data)).data;
  } catch (error) {
    const e = error as { code?: string; message?: string; details?: { problems?: string[] } };
    throw new ApiError(cleanMessage(e.message ?? String(error)), (e.code ?? 'unknown').replace(/^functions\//, ''), e.details?.problems ?? []);
  }
}
