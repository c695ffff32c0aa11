/** The CSTA XML link adapter: `CstaPbx` implements `PbxPort` against a switch speaking CSTA XML
 * over TCP (ECMA-323 Annex G framing). The rest is exported for tests and tools. */
export { CstaPbx, type CstaPbxOptions } from './csta-pbx.ts';
export { CstaLink, type CstaLinkOptions, type CstaLinkHandlers, type RequestType, type ResponseOf, DEFAULT_KEEP_ALIVE_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './link.ts';
export { mapCstaEvent, mapRouteMessage, participationMode } from './event-mapper.ts';
export { PbxArgumentError } from './validate.ts';
export { FrameTooLargeError } from './protocol/framing.ts';
