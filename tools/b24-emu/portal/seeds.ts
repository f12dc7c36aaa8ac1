/**
 * Ready-made seeds. `docExampleSeed()` is a portal on which the official doc examples
 * (shared/reference/bitrix24-doc-examples.md) come out with their ids: users 1269–1271, contact
 * 797, contact 651 + company 643 owned by 99, statistics id 7, activity 7943, file 9079,
 * transcript 1. `emptySeed()` is a portal with one admin user.
 */
import type { PortalSeed } from '../contract.js';

export function emptySeed(): PortalSeed {
  return { users: [{ ID: 1, NAME: 'Admin', LAST_NAME: '', ACTIVE: true, IS_ADMIN: true, UF_PHONE_INNER: '100' }] };
}

export function docExampleSeed(): PortalSeed {
  return {
    users: [
      { ID: 1, NAME: 'Vadim', LAST_NAME: 'Valeev', EMAIL: 'vadim@example.com', ACTIVE: true, IS_ADMIN: true, IS_ONLINE: 'Y', UF_DEPARTMENT: [1] },
      { ID: 3, NAME: 'John', LAST_NAME: 'Smith', EMAIL: 'john@example.com', ACTIVE: true, IS_ONLINE: 'N', UF_DEPARTMENT: [1] },
      { ID: 99, NAME: 'Maria', LAST_NAME: 'Manager', ACTIVE: true, TIMEMAN_STATUS: 'CLOSED', PERSONAL_MOBILE: '19062195047', UF_PHONE_INNER: '199', UF_DEPARTMENT: [1] },
      { ID: 505, NAME: 'Andrew', LAST_NAME: 'Johnson', ACTIVE: true, UF_PHONE_INNER: '505', UF_DEPARTMENT: [1] },
      { ID: 1269, NAME: 'Anna', LAST_NAME: 'First', ACTIVE: true, UF_PHONE_INNER: '101', WORK_POSITION: 'Operator', UF_DEPARTMENT: [1] },
      { ID: 1270, NAME: 'Boris', LAST_NAME: 'Second', ACTIVE: true, UF_PHONE_INNER: '102', WORK_POSITION: 'Operator', UF_DEPARTMENT: [1] },
      { ID: 1271, NAME: 'Clara', LAST_NAME: 'Third', ACTIVE: true, UF_PHONE_INNER: '103', WORK_POSITION: 'Sales', UF_DEPARTMENT: [1] },
      { ID: 1272, NAME: 'Dismissed', LAST_NAME: 'User', ACTIVE: false, UF_PHONE_INNER: '104', UF_DEPARTMENT: [1] },
    ],
    contacts: [
      { ID: 797, NAME: 'Client', LAST_NAME: 'Known', ASSIGNED_BY_ID: 1269, PHONE: [{ VALUE: '+499062195047', VALUE_TYPE: 'WORK' }] },
      { ID: 651, NAME: 'John', LAST_NAME: 'Doe', ASSIGNED_BY_ID: 99, COMPANY_ID: 643, PHONE: [{ VALUE: '19062195047', VALUE_TYPE: 'MOBILE' }] },
      { ID: 275, NAME: 'First', LAST_NAME: 'Dup', ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: '8976543', VALUE_TYPE: 'WORK' }] },
      { ID: 2297, NAME: 'Second', LAST_NAME: 'Dup', ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: '11223355', VALUE_TYPE: 'HOME' }], EMAIL: [{ VALUE: 'dup@example.com', VALUE_TYPE: 'WORK' }] },
    ],
    companies: [
      { ID: 643, TITLE: 'Daisy LLC', COMPANY_TYPE: 'CUSTOMER', ASSIGNED_BY_ID: 99, PHONE: [{ VALUE: '19062195047', VALUE_TYPE: 'WORK' }] },
    ],
    leads: [
      { ID: 123, TITLE: 'Lead #1591', NAME: 'Lead', STATUS_ID: 'IN_PROCESS', SOURCE_ID: '1', ASSIGNED_BY_ID: 1, OPPORTUNITY: '0.00', PHONE: [{ VALUE: '+15454777777', VALUE_TYPE: 'OTHER' }] },
    ],
    deals: [
      { ID: 37, TITLE: 'Open deal of Daisy', COMPANY_ID: 643, CONTACT_ID: 651, ASSIGNED_BY_ID: 99, STAGE_ID: 'NEW', CLOSED: 'N', OPPORTUNITY: '19999.99', CATEGORY_ID: 0 },
      { ID: 38, TITLE: 'Won deal of Daisy', COMPANY_ID: 643, CONTACT_ID: 651, ASSIGNED_BY_ID: 1, STAGE_ID: 'WON', CLOSED: 'Y', OPPORTUNITY: '500.00', CATEGORY_ID: 0 },
    ],
    settings: {
      timeZoneOffsetMinutes: 180,
      restAppId: 3,
      restAppName: 'REST API Documentation',
      statisticsStartId: 7,
      activitiesStartId: 7943,
      filesStartId: 9079,
      transcriptsStartId: 1,
    },
  };
}
