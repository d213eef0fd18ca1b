export * from './message';
export * from './transport';
export * from './transaction';
