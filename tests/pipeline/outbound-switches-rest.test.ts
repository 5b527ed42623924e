import { oneOfEachKind, rehearseSwitchGroups } from './outbound-switch-cases.js';
import { MAIL_SWITCHES, PAYMENT_SWITCHES, PROVISIONING_SWITCHES } from './outbound-switch-list.js';

/** The groups of outbound switches after the first three (see outbound-switches.test.ts). */
rehearseSwitchGroups(oneOfEachKind(PAYMENT_SWITCHES, MAIL_SWITCHES, PROVISIONING_SWITCHES).slice(3));
