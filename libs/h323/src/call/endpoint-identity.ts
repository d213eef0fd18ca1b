import type { H225Types } from '../asn1/generated';

/**
 * How this endpoint describes itself in sourceInfo / destinationInfo (H.225.0 `EndpointType`): an MCU
 * (`mcu` present, `mc` true, H.323 §6.5 — an MCU contains an MC) or a terminal, with our vendor identification.
 */
export interface EndpointIdentity {
  /** 'mcu' for rooms (default), 'terminal' for a plain endpoint. */
  readonly kind: 'mcu' | 'terminal';
  /** productId and versionId octets (H.225.0 VendorIdentifier), e.g. "Tessera MCU" / "1.0". */
  readonly productId: string;
  readonly versionId: string;
}

/** Default identity. */
export const DEFAULT_ENDPOINT_IDENTITY: EndpointIdentity = { kind: 'mcu', productId: 'Tessera MCU', versionId: '1.0' };

/**
 * Builds the EndpointType (H.225.0 ASN.1 `EndpointType`). T.35 country code 0xB5 (United States) with
 * manufacturer code 0 stands for "no registered manufacturer"; vendors identify by productId.
 */
export function endpointType(identity: EndpointIdentity): H225Types.EndpointType {
  return {
    vendor: {
      vendor: { t35CountryCode: 0xb5, t35Extension: 0, manufacturerCode: 0 },
      productId: Buffer.from(identity.productId, 'latin1'),
      versionId: Buffer.from(identity.versionId, 'latin1'),
    },
    ...(identity.kind === 'mcu' ? { mcu: {} } : { terminal: {} }),
    mc: identity.kind === 'mcu',
    undefinedNode: false,
  };
}
