/**
 * The SIP stack (an RFC 3261 subset, docs/sip.md) under the SIP/CSTA channel: the message codec,
 * the UDP/TCP endpoint, the transaction layer and dialogs.
 */
export * from './message.ts';
export * from './endpoint.ts';
export * from './transactions.ts';
export * from './dialog.ts';
