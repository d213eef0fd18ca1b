/** SDP offer/answer for the MCU (RFC 3264, RFC 4566) and the negotiated-media type the media plane consumes. */
export * from './sdp-error';
export * from './codec-capabilities';
export * from './h264-parameters';
export * from './session-description';
export * from './offer-answer';
export * from './negotiated-media';
