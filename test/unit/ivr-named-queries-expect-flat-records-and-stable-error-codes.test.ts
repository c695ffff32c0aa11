/**
 * Named IVR queries (storage/repositories/ivr-queries.ts) on a real database with the demo
 * customers: a known caller and a keyed customer number give flat records; nobody gives null; an
 * unknown query name and bad parameters are refused with stable codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCentre } from '../../src/storage/demo-seed.ts';
import { IVR_QUERIES, IVR_QUERY_NAMES, IvrQueryError, describeIvrQuery, ivrQueries, type IvrQueries } from '../../src/storage/repositories/ivr-queries.ts';
import { openTempDatabase, type TempDatabase } from '../../src/storage/test-support.ts';

let t: TempDatabase;
let q: IvrQueries;
beforeAll(async () => {
  t = openTempDatabase();
  await seedDemoCentre(t.repos);
  q = ivrQueries({ customers: t.repos.customers });
});
afterAll(() => t.dispose());

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof IvrQueryError ? err.code : 'other';
  }
}

describe('customer queries', () => {
  it('customerByPhone: the demo VIP as a flat record, balance exact', () => {
    expect(q.run('customerByPhone', { phone: '13800000001' })).toEqual({ customerNumber: '10000001', name: 'VIP Customer', vipLevel: 1, language: 'zh-CN', balance: '1005.30', preferredAgent: 'a1001' });
  });
  it('customerByNumber: the customer without a phone', () => {
    expect(q.run('customerByNumber', { customerNumber: '10000003' })).toMatchObject({ customerNumber: '10000003', balance: '20000.00', vipLevel: 0, language: null, preferredAgent: null });
    expect(q.run('customerByNumber', { customerNumber: '10000002' })).toMatchObject({ balance: '0.50' });
  });
  it('verifyPin: the customer when the PIN is theirs; null for a wrong PIN, a customer without one, or nobody; the PIN is never stored as keyed', () => {
    expect(q.run('verifyPin', { phone: '13800000001', pin: '246810' })).toMatchObject({ customerNumber: '10000001' });
    expect(q.run('verifyPin', { phone: '13800000001', pin: '135791' })).toBeNull();
    expect(q.run('verifyPin', { phone: '13800000002', pin: '135791' })).toMatchObject({ customerNumber: '10000002' });
    expect(q.run('verifyPin', { phone: '13900000000', pin: '246810' })).toBeNull();
    const stored = t.sqlite.prepare("SELECT pin_hash FROM customers WHERE customer_number = '10000001'").get() as { pin_hash: string };
    expect(stored.pin_hash).toMatch(/^s1:[0-9a-f]{32}:[0-9a-f]{64}$/);
    expect(stored.pin_hash).not.toContain('246810');
    expect(t.repos.customers.findByNumber('10000003')!.hasPin).toBe(false);
  });
  it('nobody: null', () => {
    expect(q.run('customerByPhone', { phone: '13900000000' })).toBeNull();
    expect(q.run('customerByNumber', { customerNumber: '99999999' })).toBeNull();
  });
  it('results have exactly the declared fields, all strings, numbers or null', () => {
    const r = q.run('customerByPhone', { phone: '13800000002' })!;
    expect(Object.keys(r)).toEqual([...IVR_QUERIES.customerByPhone.fields]);
    for (const v of Object.values(r)) expect(v === null || typeof v === 'string' || typeof v === 'number').toBe(true);
  });
});

describe('refusals', () => {
  it('an unknown query name is UNKNOWN_QUERY, naming the known ones', () => {
    expect(codeOf(() => q.run('dropTables', {}))).toBe('UNKNOWN_QUERY');
    expect(codeOf(() => q.run('toString', {}))).toBe('UNKNOWN_QUERY');
    expect(() => q.run('nope', {})).toThrow(/known: customerByPhone, customerByNumber/);
  });
  it('missing, unknown or ill-formed parameters are BAD_PARAMS', () => {
    expect(codeOf(() => q.run('customerByPhone', {}))).toBe('BAD_PARAMS');
    expect(codeOf(() => q.run('customerByPhone', { phone: "1' or 1=1 --" }))).toBe('BAD_PARAMS');
    expect(codeOf(() => q.run('customerByPhone', { phone: '13800000001', extra: 'x' }))).toBe('BAD_PARAMS');
    expect(codeOf(() => q.run('customerByNumber', { customerNumber: { $ne: 1 } }))).toBe('BAD_PARAMS');
    expect(() => q.run('customerByNumber', { customerNumber: '12a' })).toThrow('customerByNumber: customerNumber "12a" is not a customer number (1 to 32 digits)');
  });
  it('a number where a string of digits is expected is accepted as its digits', () => {
    expect(q.run('customerByNumber', { customerNumber: 10000001 })).toMatchObject({ name: 'VIP Customer' });
  });
});

it('describeIvrQuery serves flow validation offline', () => {
  expect(IVR_QUERY_NAMES).toEqual(['customerByPhone', 'customerByNumber', 'verifyPin']);
  expect(describeIvrQuery('customerByNumber')).toMatchObject({ params: ['customerNumber'], fields: ['customerNumber', 'name', 'vipLevel', 'language', 'balance', 'preferredAgent'] });
  expect(describeIvrQuery('constructor')).toBeNull();
});
