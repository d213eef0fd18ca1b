/** A SIP user as the REST API shows it: never the password, never an HA1. */
export interface SipUser {
  /** The user part of the AOR `sip:<username>@<domain>` and the digest `username`. */
  readonly username: string;
  readonly displayName?: string;
  /** The digest realm the HA1 values were computed with (`MCU_SIP_REALM` at creation time). */
  readonly realm: string;
  /** ISO 8601 creation time. */
  readonly createdAt: string;
}

/** What is stored per user: the public fields plus H(username:realm:password) per algorithm. */
export interface StoredSipUser extends SipUser {
  /** MD5 HA1, 32 lower-case hex digits (RFC 7616 §3.4.2). */
  readonly ha1Md5: string;
  /** SHA-256 HA1, 64 lower-case hex digits (RFC 7616 §3.4.2, RFC 8760). */
  readonly ha1Sha256: string;
}

/** Bounds of the user fields, shared by the DTO and the store. */
export const SIP_USER_LIMITS = {
  /** RFC 3261 §25.1 `user` characters, without escapes and the characters that need quoting. */
  usernamePattern: /^[A-Za-z0-9._~+-]{1,64}$/,
  passwordMinLength: 8,
  passwordMaxLength: 128,
  displayNameMaxLength: 100,
} as const;
