/** The SIP user agent of the MCU: UAS core, calls, delegate. */
export * from './capabilities';
export * from './typed-events';
export * from './request-target';
export * from './incoming-call';
export * from './user-agent-delegate';
export * from './user-agent-counters';
export * from './user-agent-core';
