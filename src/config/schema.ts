/**
 * The one configuration schema: TypeScript type, validation and defaults in one place.
 * A config file is JSON; every key has a default except the connection secrets.
 * Secret fields are listed in SECRET_PATHS and masked by `config-check` and in logs.
 */
import { z } from 'zod';
import { cdrSchema } from './cdr-schema.js';

export { cdrMysqlSchema, cdrPgsqlSchema, cdrSchema } from './cdr-schema.js';

const port = z.number().int().min(0).max(65535);
const userId = z.number().int().positive();

export const amiSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(5038),
  username: z.string().min(1).default('crm'),
  secret: z.string().default(''),
  /** Login with the MD5 challenge instead of a plain secret. */
  md5: z.boolean().default(false),
  /** `Events:` filter sent after login. */
  events: z.string().default('call,dialplan,agent,system'),
  actionTimeoutMs: z.number().int().positive().default(10_000),
  pingIntervalMs: z.number().int().positive().default(20_000),
  reconnectMinMs: z.number().int().positive().default(100),
  reconnectMaxMs: z.number().int().positive().default(30_000),
  /** AMI over TLS (manager.conf `tlsenable`, usually port 5039); absent: plain TCP (docs/operations.md). */
  tls: z.object({
    /** PEM of the CA, or of the PBX's self-signed certificate itself. */
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
    /** Name the certificate must carry (default: ami.host when it is a name). */
    servername: z.string().min(1).optional(),
    /** Pin the PBX's certificate instead of a CA chain: `openssl x509 -noout -fingerprint -sha256`. */
    fingerprint256: z.string().regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'a SHA-256 fingerprint: 32 hex bytes, colons optional').optional(),
  }).strict().optional(),
}).strict();

export const oauthSchema = z.object({
  clientEndpoint: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  accessToken: z.string().default(''),
  refreshToken: z.string().default(''),
  applicationToken: z.string().default(''),
  memberId: z.string().default(''),
  /** OAuth server; Bitrix24 cloud uses https://oauth.bitrix.info */
  oauthServer: z.url().default('https://oauth.bitrix.info'),
}).strict();

export const bitrixSchema = z.object({
  /** `oauth` (a local application; required for register/finish on most portals) or `webhook`. */
  auth: z.enum(['oauth', 'webhook']).default('oauth'),
  /** Incoming webhook base URL, ending in `/` (e.g. https://portal/rest/1/secret/). */
  webhookUrl: z.url().optional(),
  oauth: oauthSchema.optional(),
  /** Request bucket: 50 / 2 per s by default; Enterprise portals 250 / 5. */
  limits: z.object({
    capacity: z.number().int().positive().default(50),
    drainPerSec: z.number().positive().default(2),
  }).strict().default({ capacity: 50, drainPerSec: 2 }),
  requestTimeoutMs: z.number().int().positive().max(60_000).default(60_000),
  /** Portal time zone offset for CALL_START_DATE, e.g. "+03:00"; default: the server's. */
  timezoneOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/).optional(),
  events: z.object({
    /** Accept pushed OnExternalCallStart / OnExternalCallBackStart at http.publicUrl + path. */
    push: z.boolean().default(true),
    path: z.string().startsWith('/').default('/bitrix/events'),
    /** Poll offline events (event.offline.get) — for installs without an inbound port. */
    poll: z.boolean().default(false),
    pollIntervalMs: z.number().int().positive().default(3_000),
    dedupeWindowMs: z.number().int().positive().default(600_000),
  }).strict().default({ push: true, path: '/bitrix/events', poll: false, pollIntervalMs: 3_000, dedupeWindowMs: 600_000 }),
}).strict().superRefine((b, ctx) => {
  if (b.auth === 'webhook' && !b.webhookUrl) ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: 'required when auth is "webhook"' });
  if (b.auth === 'oauth' && !b.oauth) ctx.addIssue({ code: 'custom', path: ['oauth'], message: 'required when auth is "oauth"' });
});

export const trunkSchema = z.object({
  /** Asterisk endpoint name (PJSIP/<endpoint>-…, SIP/<peer>-…). */
  endpoint: z.string().min(1),
  /** Bitrix24 external line number for calls on this trunk (telephony.externalLine.add). */
  line: z.string().optional(),
  lineName: z.string().optional(),
  /** CRM_CREATE for unknown numbers on this trunk. */
  crmCreate: z.boolean().default(true),
  crmSource: z.string().optional(),
  /** Responsible for missed calls and new leads on this trunk. */
  defaultUserId: userId.optional(),
}).strict();

export const pbxSchema = z.object({
  /** Trunk endpoints: a name, or an object with the line and CRM settings of that trunk. */
  trunks: z.array(z.union([z.string().min(1).transform((endpoint) => trunkSchema.parse({ endpoint })), trunkSchema])).default([]),
  /** Dialplan contexts whose channels are extensions (not trunks). */
  internalContexts: z.array(z.string()).default([]),
  /** An endpoint whose name matches is an extension, when not a known user's inner phone. */
  extensionPattern: z.string().default('^\\d{2,5}$'),
  /** Channel variable that marks a click-to-call call with Bitrix24's CALL_ID. */
  callIdVariable: z.string().default('B24_CALL_ID'),
  /** Channel variable a rating IVR sets to the caller's rating (1–5): sent as finish VOTE. */
  voteVariable: z.string().regex(/^[A-Za-z_]\w*$/).default('B24_VOTE'),
  /** FMC: calls the PBX forwards to an employee's mobile count as that employee's (docs/call-model.md). */
  fmc: z.object({
    enabled: z.boolean().default(false),
    /** Bitrix24 user fields holding the employee's mobile numbers. */
    fields: z.array(z.enum(['PERSONAL_MOBILE', 'WORK_PHONE', 'PERSONAL_PHONE'])).default(['PERSONAL_MOBILE']),
    /** More numbers, not in Bitrix24: number (any format) → extension. They win over the fields. */
    numbers: z.record(z.string().refine((s) => s.replace(/\D+/g, '').length >= 6, 'a phone number (6 digits or more)'), z.string().min(1)).default({}),
    /** Trailing digits compared (prefixes and country codes vary between the PBX and Bitrix24). */
    matchDigits: z.number().int().min(6).max(15).default(10),
  }).strict().default({ enabled: false, fields: ['PERSONAL_MOBILE'], numbers: {}, matchDigits: 10 }),
}).strict();

export const callsSchema = z.object({
  /** Register internal (extension to extension) calls. */
  internal: z.boolean().default(false),
  /**
   * A transferred call: `longest-talker`, one Bitrix24 call finished for the user who talked
   * longest; `per-leg`, one registration per transferred leg (EXTERNAL_CALL_ID `<call>#<leg>`).
   */
  transferMode: z.enum(['longest-talker', 'per-leg']).default('longest-talker'),
  /** User who gets IVR- and queue-abandoned calls (missed, nobody rang). */
  missedUserId: userId.optional(),
  /** Default user when nobody can be found (e.g. outgoing from an unknown extension). */
  defaultUserId: userId.default(1),
  /** How long after call end a recording may still appear. */
  recordingWaitMs: z.number().int().positive().default(120_000),
}).strict();

const listSchema = z.object({
  extensions: z.array(z.string()).default([]),
  /** Trunk endpoints or DIDs. */
  trunks: z.array(z.string()).default([]),
  numbers: z.array(z.string()).default([]),
}).strict();

export const listsSchema = z.object({
  /** Calls touching these are never registered. */
  black: listSchema.default({ extensions: [], trunks: [], numbers: [] }),
  /** When non-empty, only calls touching these are registered. */
  white: listSchema.default({ extensions: [], trunks: [], numbers: [] }),
}).strict();

export const phoneSchema = z.object({
  /** ISO country for numbers without a country code, e.g. "RU", "DE". */
  defaultCountry: z.string().length(2).default('RU'),
  /** Applied in order before parsing: regular expression → replacement. */
  replacements: z.array(z.object({ match: z.string(), replace: z.string() }).strict()).default([]),
  /** Output format sent to Bitrix24. */
  format: z.enum(['E.164', 'national', 'digits']).default('E.164'),
}).strict();

export const tasksSchema = z.object({
  missedCalls: z.boolean().default(false),
  responsible: z.enum(['entity-owner', 'last-rung', 'default']).default('entity-owner'),
  deadlineMinutes: z.number().int().positive().default(60),
  /** `working-hours`: the deadline counts only the minutes of agi.workingHours (Friday evening → Monday morning). */
  deadlineIn: z.enum(['calendar', 'working-hours']).default('calendar'),
  createdBy: userId.optional(),
  title: z.string().default('Missed call from {phone}'),
  /** A missed-call task is completed (tasks.task.complete) once a later call with the same client number is answered. */
  completeOnContact: z.boolean().default(false),
}).strict();

export const recordingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Directories searched when MIXMONITOR_FILENAME is not known. */
  dirs: z.array(z.string()).default(['/var/spool/asterisk/monitor']),
  convertToMp3: z.boolean().default(true),
  ffmpegPath: z.string().default('ffmpeg'),
  /** `file` uploads with attachRecord; `link` puts a player in the activity (needs publicBaseUrl). */
  mode: z.enum(['file', 'link']).default('file'),
  publicBaseUrl: z.url().optional(),
  /** Link mode: recordings are copied here and served by the connector at /records/<file>. */
  publishDir: z.string().default('./records-public'),
  /** A file is complete when its size has not changed for this long after hang-up. */
  stableMs: z.number().int().positive().default(2_000),
  /** Speech-to-text program run on each attached recording; its transcript goes to the call (docs/recordings.md). */
  transcriber: z.object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    timeoutMs: z.number().int().positive().default(900_000),
    waitMs: z.number().int().nonnegative().default(5_000),
    concurrency: z.number().int().positive().max(16).default(1),
  }).strict().optional(),
}).strict();

export const hooksSchema = z.object({
  dir: z.string().optional(),
  /** Point name → URL (POST JSON, read JSON). */
  urls: z.record(z.string(), z.url()).default({}),
  timeoutMs: z.number().int().positive().default(3_000),
  timeouts: z.record(z.string(), z.number().int().positive()).default({}),
  disabled: z.array(z.string()).default([]),
}).strict();

export const storeSchema = z.object({
  /** `sqlite`: a file on this host (path); `postgres`: a PostgreSQL database (url). docs/operations.md. */
  driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** SQLite only. */
  path: z.string().default('./asterisk-b24.sqlite'),
  /** PostgreSQL only: postgres://user:password@host:5432/database (a secret; or ASTERISK_B24_STORE_URL). */
  url: z.string().optional(),
  /** PostgreSQL only: connections at most. */
  poolMax: z.number().int().min(1).max(100).default(5),
  /** PostgreSQL only: give up connecting after this, ms. */
  connectTimeoutMs: z.number().int().positive().default(5_000),
}).strict().superRefine((s, ctx) => {
  if (s.driver !== 'postgres') return;
  if (!s.url) {
    ctx.addIssue({
      code: 'custom', path: ['url'], params: { code: 'CONFIG_STORE_URL_MISSING' },
      message: 'store.driver "postgres" needs store.url (postgres://user:password@host:5432/database), or set ASTERISK_B24_STORE_URL',
    });
  } else if (!/^postgres(ql)?:\/\//.test(s.url)) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'store.url must start with postgres:// or postgresql://' });
  }
});

export const httpSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: port.default(8080),
  /** The URL at which Bitrix24 reaches this server (event handler, record links). */
  publicUrl: z.url().optional(),
}).strict();

/** One more panel login: `admin` may change things, `viewer` may only look (docs/admin-panel.md). */
export const panelUserSchema = z.object({
  user: z.string().min(1),
  /** scrypt hash, as for admin.passwordHash. */
  passwordHash: z.string().min(1),
  role: z.enum(['admin', 'viewer']),
}).strict();

export const adminSchema = z.object({
  /** The single admin login (kept for existing configs; one admin next to `users`). */
  user: z.string().default('admin'),
  /** scrypt hash `scrypt$N$r$p$salt$hash` — `asterisk-b24 hash-password` prints one. */
  passwordHash: z.string().default(''),
  /** More logins, each with its role. */
  users: z.array(panelUserSchema).default([]),
  /** The panel's language (`en`, `ru`); decision notes and logs stay in English. */
  language: z.enum(['en', 'ru']).default('en'),
}).strict().superRefine((a, ctx) => {
  const names = a.passwordHash ? [a.user] : [];
  a.users.forEach((u, i) => {
    if (names.includes(u.user)) ctx.addIssue({ code: 'custom', path: ['users', i, 'user'], message: `user "${u.user}" is defined twice` });
    names.push(u.user);
  });
});

const workingHoursSchema = z.object({
  /** IANA time zone of the schedule, e.g. "Europe/Moscow". */
  timezone: z.string().default('UTC'),
  /** Day (mon…sun) → list of "HH:MM-HH:MM" ranges; a missing day is closed. */
  days: z.partialRecord(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), z.array(z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/))).default({}),
}).strict();

export const agiSchema = z.object({
  enabled: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  port: port.default(4573),
  /** Past this, the dialplan gets "no route" and falls back. */
  deadlineMs: z.number().int().positive().default(1_000),
  /** Route to the responsible manager only within these hours (absent: always). */
  workingHours: workingHoursSchema.optional(),
  /** Set the caller name to the client's (or company's) name. */
  setCallerName: z.boolean().default(true),
  /** How long an entity lookup by phone is cached. */
  cacheTtlMs: z.number().int().positive().default(300_000),
  /** Sticky routing: a returning caller reaches the employee who last talked to them (docs/routing.md). */
  sticky: z.object({
    /** `fallback`: only when the CRM gives no routable responsible; `first`: the last talker wins over it. */
    mode: z.enum(['off', 'fallback', 'first']).default('off'),
    /** Only conversations answered within this many days count. */
    days: z.number().int().min(1).max(3650).default(30),
    /** Only conversations at least this long count (0: any answered one). */
    minTalkSeconds: z.number().int().min(0).default(0),
    /** Which calls count: the client called in, was called, or both. */
    directions: z.enum(['incoming', 'outgoing', 'both']).default('both'),
  }).strict().default({ mode: 'off', days: 30, minTalkSeconds: 0, directions: 'both' }),
}).strict();

export const clickToCallSchema = z.object({
  /** `pjsip`: Channel PJSIP/{exten}; `freepbx`: Local/{exten}@from-internal. */
  preset: z.enum(['pjsip', 'freepbx', 'custom']).default('pjsip'),
  /** Channel template for the employee's phone ({exten} is replaced). */
  channel: z.string().default('PJSIP/{exten}'),
  /** Where the client's number is dialled once the employee answers. */
  context: z.string().default('from-internal'),
  /** Ring time of the employee's phone. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** CallerID shown on the employee's phone ({number} = client's number). */
  callerId: z.string().default('"{number}" <{number}>'),
  /** OnExternalCallBackStart: ring this queue or extension first, then the client. */
  callbackTarget: z.string().default(''),
  callbackContext: z.string().default('from-internal'),
  /** How the client's number is written for the dialplan (docs/click-to-call.md). */
  dial: z.object({
    format: z.enum(['digits', 'plus', 'prefixed', 'national']).default('digits'),
    internationalPrefix: z.string().default('00'),
    outsidePrefix: z.string().default(''),
  }).strict().default({ format: 'digits', internationalPrefix: '00', outsidePrefix: '' }),
}).strict();

export const configSchema = z.object({
  ami: amiSchema.default(amiSchema.parse({})),
  bitrix: bitrixSchema,
  pbx: pbxSchema.default(pbxSchema.parse({})),
  calls: callsSchema.default(callsSchema.parse({})),
  lists: listsSchema.default(listsSchema.parse({})),
  phone: phoneSchema.default(phoneSchema.parse({})),
  tasks: tasksSchema.default(tasksSchema.parse({})),
  recordings: recordingsSchema.default(recordingsSchema.parse({})),
  hooks: hooksSchema.default(hooksSchema.parse({})),
  cdr: cdrSchema.default(cdrSchema.parse({})),
  store: storeSchema.default(storeSchema.parse({})),
  http: httpSchema.default(httpSchema.parse({})),
  admin: adminSchema.default(adminSchema.parse({})),
  agi: agiSchema.default(agiSchema.parse({})),
  clickToCall: clickToCallSchema.default(clickToCallSchema.parse({})),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).strict().default({ level: 'info' }),
}).strict().superRefine((c, ctx) => {
  if (c.tasks.deadlineIn === 'working-hours' && !c.agi.workingHours) {
    ctx.addIssue({ code: 'custom', path: ['tasks', 'deadlineIn'], message: 'working-hours deadlines need the schedule in agi.workingHours' });
  }
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Paths (dot-separated) whose values are secrets. */
export const SECRET_PATHS = [
  'ami.secret', 'bitrix.webhookUrl', 'bitrix.oauth.clientSecret', 'bitrix.oauth.accessToken',
  'bitrix.oauth.refreshToken', 'bitrix.oauth.applicationToken', 'admin.passwordHash', 'admin.users.*.passwordHash', 'store.url', 'cdr.mysql.url',
  'cdr.pgsql.url',
];
