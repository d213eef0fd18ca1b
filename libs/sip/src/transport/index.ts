/** The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 5626 §4.4.1): UDP, TCP, Via routing. */
export * from './logger';
export * from './transport';
export * from './transport-stats';
export * from './via-routing';
export * from './udp-transport';
export * from './tcp-connection';
export * from './tcp-transport';
export * from './transport-layer';
export * from './request-target';
export * from './stun-keepalive';
