/** The dashboard's live calls: a conversation on an employee's mobile (FMC) says so, in both languages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveCallsTable } from '../../src/adapters/http/pages/components.js';
import type { CallView } from '../../src/adapters/http/panel-port.js';
import { createT } from '../../src/adapters/http/ui/texts/index.js';
import { ru } from '../../src/adapters/http/ui/texts/ru.js';

test('live calls: the conversation on the mobile is marked, its number in the tooltip', () => {
  const view = {
    summary: {
      callKey: '1700000000.1', direction: 'incoming', clientNumber: '+4930123456', startedAt: 0, recordings: [],
      conversations: [
        { id: 'a', extension: '101', channel: 'PJSIP/101-1', uniqueid: '1.2', stage: 'conversation_ended', via: 'dial', requestedAt: 0 },
        { id: 'b', extension: '101', channel: 'PJSIP/trunk-2', uniqueid: '1.3', stage: 'conversation_accepted', via: 'dial', requestedAt: 0, mobile: '79161234567' },
      ],
    },
    cardVisibleTo: [{ id: 1, name: 'Alice A' }], live: true, registered: true,
  } as unknown as CallView;
  const ctx = (lang: 'en' | 'ru') => ({ t: createT(lang === 'ru' ? ru : undefined), csrf: '', user: 'admin', now: 5000 });
  const en = String(liveCallsTable(ctx('en') as never, [view]));
  assert.match(en, /title="conversation_accepted · 79161234567">101 <small>mobile<\/small><\/span>/);
  assert.match(en, /title="conversation_ended">101<\/span>/);
  assert.match(String(liveCallsTable(ctx('ru') as never, [view])), /101 <small>мобильный<\/small>/);
});
