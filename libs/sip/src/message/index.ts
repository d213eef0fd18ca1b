/** The SIP message layer: model, parser, serializer, URIs, typed headers, responses (RFC 3261 §7, §19, §20, §25). */
export * from './errors';
export * from './sip-message';
export * from './uri';
export * from './name-addr';
export * from './headers';
export * from './parser';
export * from './serializer';
export * from './status-codes';
export * from './response-factory';
