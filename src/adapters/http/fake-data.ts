/** Seed data of the fake panel port: users, base config, installed hooks, Bitrix24 answers. */
import type { OutboxCommand } from '../../outbox/command.js';
import type { UserRef } from './panel-port.js';

export const USERS: Readonly<Record<string, UserRef>> = {
  '101': { id: 1, name: 'Anna Petrova' },
  '102': { id: 7, name: 'Boris Ivanov' },
  '103': { id: 9, name: 'Chen Li' },
};

export const BASE_CONFIG: Record<string, unknown> = {
  bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example.bitrix24.ru/rest/1/s3cr3t/' },
  pbx: { trunks: [{ endpoint: 'trunk-main', line: '74951234567', lineName: 'Main line', crmSource: 'CALL' }] },
  calls: { defaultUserId: 1 },
  hooks: { dir: '/etc/asterisk-b24/hooks' },
};

export const INSTALLED_HOOKS = ['process_client_phone', 'need_registration', 'customize_show_call_card'];
export const NUMBERS = ['+79161234567', '+74959876543', '+79035551122', '+79267770011', '+78122223344', '+79111112233'];

/** What Bitrix24 would answer to a command. */
export function fakeResult(cmd: OutboxCommand): unknown {
  if (cmd.method === 'telephony.externalcall.register') {
    return { CALL_ID: `externalCall.${cmd.callKey.replace(/\D/g, '').slice(-10)}`, CRM_CREATED_LEAD: null, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 42 };
  }
  if (cmd.method === 'telephony.externalcall.finish') return { CALL_ID: String((cmd.params as { CALL_ID?: unknown }).CALL_ID ?? ''), CRM_ACTIVITY_ID: 1000 + cmd.id };
  return true;
}
