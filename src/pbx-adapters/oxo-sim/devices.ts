/**
 * The switch's numbering plan: which number is which kind of device. Internal devices are the
 * configured ranges (extensions, routing devices, queue devices, IVR ports); a number outside
 * them with enough digits is the outside world, reached over a trunk (a "network" device created
 * on demand); anything else is unknown (CSTA invalidNumberFormat / invalidDestination).
 */
import type { NumberRange, SimConfig } from './config.ts';

export type DeviceKind = 'extension' | 'routing' | 'queue' | 'ivr' | 'outside';
export type NumberClass = DeviceKind | 'unknown';
export type InternalKind = Exclude<DeviceKind, 'outside'>;

const INTERNAL: readonly { kind: InternalKind; key: 'extensions' | 'routingDevices' | 'queueDevices' | 'ivrPorts' }[] = [
  { kind: 'extension', key: 'extensions' },
  { kind: 'routing', key: 'routingDevices' },
  { kind: 'queue', key: 'queueDevices' },
  { kind: 'ivr', key: 'ivrPorts' },
];

const DIGITS = /^\d{1,15}$/;
const OUTSIDE = /^\+?\d+$/;

export class NumberingPlan {
  private readonly ranges: { kind: InternalKind; range: NumberRange }[];

  constructor(private readonly config: SimConfig) {
    this.ranges = INTERNAL.flatMap(({ kind, key }) => config[key].map((range) => ({ kind, range })));
  }

  classify(number: string): NumberClass {
    if (DIGITS.test(number)) {
      const n = Number(number);
      // Leading zeros make a different number ("02001" is not 2001): only canonical forms are internal.
      if (String(n) === number) {
        for (const { kind, range } of this.ranges) if (n >= range.from && n <= range.to) return kind;
      }
    }
    if (OUTSIDE.test(number) && number.replace('+', '').length >= this.config.outsideMinDigits) return 'outside';
    return 'unknown';
  }

  isInternal(number: string): boolean {
    const c = this.classify(number);
    return c !== 'outside' && c !== 'unknown';
  }

  /** Where a call at `routingDevice` goes when nobody routes it. */
  fallbackOf(routingDevice: string): string {
    return this.config.routingFallbacks[routingDevice] ?? this.config.defaultFallback;
  }

  /** Every configured internal device, in number order within each kind. */
  *internalDevices(): Iterable<{ deviceId: string; kind: InternalKind }> {
    for (const { kind, range } of this.ranges) {
      for (let n = range.from; n <= range.to; n++) yield { deviceId: String(n), kind };
    }
  }
}
