/** The SIP transaction layer (RFC 3261 §17): client and server transactions, timers, matching. */
export * from './timers';
export * from './transaction-state';
export * from './transaction';
export * from './transaction-transport';
export * from './transaction-user';
export * from './client-transaction';
export * from './server-transaction';
export * from './invite-client';
export * from './non-invite-client';
export * from './invite-server';
export * from './non-invite-server';
export * from './non2xx-ack';
export * from './cancel-request';
export * from './transaction-key';
export * from './transaction-layer';
export * from './server-transaction-table';
