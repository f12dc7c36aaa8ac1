/** Shared by the upload and pipeline tests: an OAuth client for the emulator and a finished call. */
import { OAuthAuth } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import type { RecordView } from '../../tools/b24-emu/portal/inspect.js';

/** register (SHOW=0) and, unless told otherwise, finish: attachRecord works only after finish. */
export async function registerAndFinish(client: B24RestClient, phone: string, finish = true): Promise<string> {
  const reg = await client.call<{ CALL_ID: string }>('telephony.externalcall.register', {
    USER_ID: 1, PHONE_NUMBER: phone, TYPE: 2, SHOW: 0, CALL_START_DATE: '2026-11-22T09:00:00+03:00',
  });
  if (finish) await client.call('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1, DURATION: 42, STATUS_CODE: '200' });
  return reg.CALL_ID;
}

export function emulatorClient(emu: Emulator): B24RestClient {
  const auth = new OAuthAuth({
    tokens: { accessToken: emu.app.access_token, refreshToken: emu.app.refresh_token, clientEndpoint: emu.app.client_endpoint },
    clientId: emu.app.client_id, clientSecret: emu.app.client_secret, tokenUrl: emu.app.token_url,
  });
  return new B24RestClient({ auth, limiter: new B24Limiter({ capacity: 50, drainPerSec: 50 }) });
}

export const emuRecords = (emu: Emulator): RecordView[] => (emu.portal.inspect() as { records: RecordView[] }).records;
