/** Starts the local Slack/SMTP/Twilio/Sentry stand-ins for a test file and points the product at them. */
import { startLocalServers, type LocalServers } from '../../dev/servers';

export function useLocalServers(): { current: LocalServers } {
  const holder = {} as { current: LocalServers };
  beforeAll(async () => {
    holder.current = await startLocalServers();
  });
  beforeEach(() => {
    holder.current.reset();
    Object.assign(process.env, holder.current.env);
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}
