/**
 * The candidate's regression switches that its portal, import and jobs honour (apps/), not its
 * billing service: a bill run with one of them bills exactly as without it, and only a checklist
 * probe can catch it.
 */
export const APP_SWITCHES: readonly string[] = ['portal-balance-in-cents', 'signup-without-package', 'contact-update-not-saved', 'ticket-edit-fails', 'import-skips-last-row', 'provisioning-job-idle', 'worker-provisions-twice'];
