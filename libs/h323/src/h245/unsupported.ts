/**
 * Answers to H.245 messages this MCU does not implement (H.245 Annex C.1 general rules, Annex B FunctionNotUnderstood and
 * FunctionNotSupported):
 * - alternatives from a newer H.245 version that our schema does not know, and nonStandard messages, are returned
 *   in FunctionNotUnderstood;
 * - known requests and commands we do not implement get FunctionNotSupported (cause unknownFunction) with the
 *   message's encoding in returnedFunction, except where the procedure has its own reject: RequestMode →
 *   RequestModeReject (modeUnavailable, §5.6), MaintenanceLoopRequest → MaintenanceLoopReject (canNotPerformLoop,
 *   §5.8);
 * - undecodable PDUs get FunctionNotSupported with cause syntaxError and no returnedFunction (Wireshark decodes
 *   returnedFunction as H.245, so returning undecodable octets would make our own indication look malformed);
 * - responses and indications are never answered (a response with no procedure waiting is stale).
 */
import { H245, type H245Types } from '../asn1/generated';
import { encode } from '../per/codec';
import { indication, response } from './control-message';

/** FunctionNotSupported with `cause` and, when it encodes, the offending message in returnedFunction. */
export function functionNotSupported(
  cause: 'syntaxError' | 'semanticError' | 'unknownFunction',
  returned?: H245Types.MultimediaSystemControlMessage | Buffer,
): H245Types.MultimediaSystemControlMessage {
  let returnedFunction: Buffer | undefined;
  if (Buffer.isBuffer(returned)) returnedFunction = returned;
  else if (returned !== undefined) {
    try {
      returnedFunction = encode(H245.MultimediaSystemControlMessage, returned);
    } catch {
      returnedFunction = undefined; // a value we cannot re-encode is answered without it
    }
  }
  return indication({ tag: 'functionNotSupported', value: { cause: { tag: cause, value: null }, ...(returnedFunction ? { returnedFunction } : {}) } });
}

/** FunctionNotUnderstood returning a request, response or command (H.245 Annex B, FunctionNotUnderstood). */
export function functionNotUnderstood(message: H245Types.MultimediaSystemControlMessage): H245Types.MultimediaSystemControlMessage | undefined {
  switch (message.tag) {
    case 'request':
    case 'response':
    case 'command':
      return indication({ tag: 'functionNotUnderstood', value: message } as H245Types.IndicationMessage);
    default:
      return undefined;
  }
}

/**
 * The answer to a request this MCU does not implement, or undefined when none is due.
 * @param message the whole received message (a request)
 */
export function answerUnsupportedRequest(message: H245Types.MultimediaSystemControlMessage & { tag: 'request' }): H245Types.MultimediaSystemControlMessage | undefined {
  const req = message.value;
  switch (req.tag) {
    case '$unknown':
    case 'nonStandard':
      return functionNotUnderstood(message);
    case 'requestMode':
      return response({ tag: 'requestModeReject', value: { sequenceNumber: req.value.sequenceNumber, cause: { tag: 'modeUnavailable', value: null } } });
    case 'maintenanceLoopRequest':
      return response({ tag: 'maintenanceLoopReject', value: { type: req.value.type, cause: { tag: 'canNotPerformLoop', value: null } } });
    default:
      return functionNotSupported('unknownFunction', message);
  }
}

/** The answer to a command this MCU does not implement, or undefined when none is due. */
export function answerUnsupportedCommand(message: H245Types.MultimediaSystemControlMessage & { tag: 'command' }): H245Types.MultimediaSystemControlMessage | undefined {
  switch (message.value.tag) {
    case '$unknown':
    case 'nonStandard':
      return functionNotUnderstood(message);
    case 'maintenanceLoopOffCommand':
    case 'flowControlCommand':
      return undefined;
    default:
      return functionNotSupported('unknownFunction', message);
  }
}
