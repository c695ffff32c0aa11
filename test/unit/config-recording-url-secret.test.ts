import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, RECORDING_URL_SECRET_MIN } from '../../src/config.ts';
import { configRefusal } from '../helpers/config.ts';

const refusal = configRefusal;

describe('RECORDING_URL_SECRET (the key of signed play URLs)', () => {
  it('unset or empty: null, and the daemon picks a random key at start', () => {
    expect(loadConfig({}).recordingUrlSecret).toBeNull();
    expect(loadConfig({ RECORDING_URL_SECRET: '' }).recordingUrlSecret).toBeNull();
  });

  it('32 characters or more is taken as it is', () => {
    expect(RECORDING_URL_SECRET_MIN).toBe(32);
    const exact = 'k'.repeat(32);
    expect(loadConfig({ RECORDING_URL_SECRET: exact }).recordingUrlSecret).toBe(exact);
    const long = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9mcmVk';
    expect(loadConfig({ RECORDING_URL_SECRET: long }).recordingUrlSecret).toBe(long);
  });

  it('a shorter one is refused with CONFIG_INVALID naming the variable and the rule, never the value', () => {
    const short = 'hunter2-secret-of-31-characters';
    expect(short).toHaveLength(31);
    const err = refusal({ RECORDING_URL_SECRET: short });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('RECORDING_URL_SECRET must be at least 32 characters long (it has 31)');
    expect(err.message).not.toContain(short);
  });

  it('is reported together with the other invalid values', () => {
    const err = refusal({ RECORDING_URL_SECRET: 'short', PORT: 'abc' });
    expect(err.message).toContain('RECORDING_URL_SECRET');
    expect(err.message).toContain('PORT');
  });
});
