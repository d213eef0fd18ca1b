export * from './message';
export * from './transport';
export * from './transaction';
export * from './registrar';
export * from './sdp';
export * from './dialog';
export * from './user-agent';
