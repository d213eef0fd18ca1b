/**
 * Injection tokens of the registrar's storage (interfaces from `@mcu/sip`), provided globally by
 * `SipUsersModule` with the Redis implementations:
 *
 * ```ts
 * constructor(@Inject(CREDENTIAL_STORE) credentials: CredentialStore, @Inject(BINDING_STORE) bindings: BindingStore) {}
 * ```
 */
export const CREDENTIAL_STORE = Symbol('CREDENTIAL_STORE');
/** See `CREDENTIAL_STORE`. */
export const BINDING_STORE = Symbol('BINDING_STORE');
