/** The registrar (RFC 3261 §10.3) with digest authentication (RFC 7616, RFC 8760) and its storage seams. */
export type { Binding, BindingStore, CredentialStore, DigestAlgorithm } from './binding-store';
export { addressOfRecord } from './address-of-record';
export {
  computeDigestResponse,
  computeHa1,
  parseDigestCredentials,
  type DigestCredentials,
  type DigestResponseAlgorithm,
  type DigestResponseInput,
} from './digest-credentials';
export { DEFAULT_NONCE_LIFETIME_MS } from './digest-nonce';
export {
  DigestAuthenticator,
  type DigestAuthenticatorOptions,
  type DigestFailure,
  type DigestRequest,
  type DigestVerdict,
} from './digest-auth';
export { Registrar, type RegistrarLogger, type RegistrarOptions } from './registrar';
