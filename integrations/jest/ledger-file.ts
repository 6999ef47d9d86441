/** Where Jest workers leave their ledger entries for the reporter (set by the reporter). */
export const LEDGER_ENV = 'REPLAYKIT_LEDGER_DIR';
