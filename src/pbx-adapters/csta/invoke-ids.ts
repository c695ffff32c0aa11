/**
 * Invoke ids for the requests this side sends: 0001..9998, cycling, never handing out an id whose
 * request is still waiting for its answer (9999 is reserved for events, 0000 is not used).
 */

export const FIRST_INVOKE_ID = 1;
export const LAST_INVOKE_ID = 9998;
const ID_COUNT = LAST_INVOKE_ID - FIRST_INVOKE_ID + 1;

export class InvokeIds {
  private last = LAST_INVOKE_ID;

  /** Next free id after the last one handed out, or null when every id is in use. */
  next(inUse: { has(id: number): boolean }): number | null {
    for (let tries = 0; tries < ID_COUNT; tries++) {
      this.last = this.last >= LAST_INVOKE_ID ? FIRST_INVOKE_ID : this.last + 1;
      if (!inUse.has(this.last)) return this.last;
    }
    return null;
  }
}
