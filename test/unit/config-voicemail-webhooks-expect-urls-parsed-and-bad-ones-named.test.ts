/** VOICEMAIL_WEBHOOKS: comma-separated http(s) URLs; anything else stops the start, named. */
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

it('parses a comma-separated list, none by default', () => {
  expect(loadConfig({}).voicemailWebhooks).toEqual([]);
  expect(loadConfig({ VOICEMAIL_WEBHOOKS: ' https://crm.example/hooks/vm , http://10.0.0.5:8080/vm ' }).voicemailWebhooks).toEqual(['https://crm.example/hooks/vm', 'http://10.0.0.5:8080/vm']);
});

it('refuses what is not an http(s) URL, naming it', () => {
  expect(() => loadConfig({ VOICEMAIL_WEBHOOKS: 'ftp://x/y,https://ok.example' })).toThrow(/VOICEMAIL_WEBHOOKS: "ftp:\/\/x\/y" is not an http:\/\/ or https:\/\/ URL/);
  expect(() => loadConfig({ VOICEMAIL_WEBHOOKS: 'crm.example/vm' })).toThrow(/VOICEMAIL_WEBHOOKS/);
});
