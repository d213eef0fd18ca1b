/** Dialogs (RFC 3261 §12) and the INVITE dialog usage with session timers (RFC 4028). */
export * from './dialog';
export * from './session-state';
export * from './session-timer';
export * from './accepted-response';
export * from './session-dialog';
export * from './media-control';
