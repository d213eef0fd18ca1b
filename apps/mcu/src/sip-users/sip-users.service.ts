import { Inject, Injectable } from '@nestjs/common';
import type { Binding } from '@mcu/sip';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { RedisBindingStore } from './redis-binding-store';
import { RedisCredentialStore } from './redis-credential-store';
import type { SipUser } from './sip-user';
import { SipUserNotFoundError } from './sip-user-errors';

/** REST use cases for SIP users and registrations. */
@Injectable()
export class SipUsersService {
  constructor(
    @Inject(MCU_CONFIG) private readonly config: McuConfig,
    private readonly credentials: RedisCredentialStore,
    private readonly bindings: RedisBindingStore,
  ) {}

  /**
   * Creates a user whose HA1 values are computed with the configured realm (`MCU_SIP_REALM`).
   *
   * @throws DuplicateSipUserError (409).
   */
  create(input: { username: string; password: string; displayName?: string }): Promise<SipUser> {
    return this.credentials.create(input, this.config.sip.realm);
  }

  list(): Promise<SipUser[]> {
    return this.credentials.list();
  }

  /**
   * Deletes a user and the registrations of its address-of-record (`sip:<username>@…`).
   *
   * @throws SipUserNotFoundError (404).
   */
  async delete(username: string): Promise<void> {
    if (!(await this.credentials.delete(username))) throw new SipUserNotFoundError(username);
    const aors = new Set((await this.bindings.listAll()).map((b) => b.aor).filter((aor) => aor.startsWith(`sip:${username}@`)));
    for (const aor of aors) await this.bindings.removeAll(aor);
  }

  /** Every unexpired registrar binding. */
  registrations(): Promise<Binding[]> {
    return this.bindings.listAll();
  }
}
