/**
 * Epoch ms as the centre's wall clock for spreadsheet cells. Excel dates carry no zone, so a cell
 * shows the local time of the centre (IVR_TIME_ZONE) and its header names the zone. exceljs turns a
 * Date into a serial from its UTC fields, so the Date handed over is shifted by the zone's offset.
 *
 * The trade-off: Intl is slow per call (a few µs), and a million-row export asks a million times,
 * so offsets are cached per quarter hour (every zone changes its offset on a quarter-hour boundary).
 */
const QUARTER_MS = 900_000;
const CACHE_MAX = 10_000;

export class LocalClock {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }

  /** The zone's offset from UTC at `ms`, in ms (Asia/Shanghai: +8 h). */
  offsetAt(ms: number): number {
    const q = Math.floor(ms / QUARTER_MS);
    let off = this.offsets.get(q);
    if (off === undefined) {
      const at = q * QUARTER_MS;
      const p: Record<string, number> = {};
      for (const part of this.fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
      if (this.offsets.size >= CACHE_MAX) this.offsets.clear();
      this.offsets.set(q, off);
    }
    return off;
  }

  /** A Date whose UTC fields are the local wall clock at `ms` (for a spreadsheet cell). */
  cell(ms: number | null | undefined): Date | null {
    return ms === null || ms === undefined ? null : new Date(ms + this.offsetAt(ms));
  }
}
