/**
 * app.info: the installed application as the portal describes it (used by `batch` examples and by
 * the connector's doctor). Values come from the seed settings.
 */
import type { MethodResult } from '../../contract.js';
import type { Params } from '../params.js';
import type { MethodContext, MethodTable } from './context.js';

function appInfo(_p: Params, mc: MethodContext): MethodResult {
  const s = mc.state.settings;
  return {
    result: {
      ID: mc.settings.restAppId,
      CODE: mc.settings.appCode,
      VERSION: typeof s['appVersion'] === 'number' ? s['appVersion'] : 1,
      STATUS: typeof s['appStatus'] === 'string' ? s['appStatus'] : 'L',
      INSTALLED: s['appInstalled'] !== false,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID: typeof s['languageId'] === 'string' ? s['languageId'] : 'en',
      LICENSE: typeof s['license'] === 'string' ? s['license'] : 'en_project',
      LICENSE_TYPE: 'project',
      LICENSE_FAMILY: 'project',
      install: { installed: s['appInstalled'] !== false, version: 1 },
    },
  };
}

export const appMethods: MethodTable = {
  'app.info': { handler: appInfo },
};
