import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.ts';

describe('config', () => {
  it('has defaults that run with nothing set', () => {
    const c = parseConfig({}, []);
    expect(c).toMatchObject({ role: 'all', port: 4000, redisUrl: undefined, redisPrefix: 'sp:', openaiApiKey: undefined, initialCredits: 1000, maxAttempts: 3 });
    expect(c.databaseUrl).toMatch(/data\/story-pipeline\.db$/);
  });

  it('refuses bad values naming the variable and the rule', () => {
    expect(() => parseConfig({ PORT: 'eighty' }, [])).toThrow(new ConfigError('PORT must be an integer from 0 to 65535, got "eighty"'));
    expect(() => parseConfig({ SHARE_LINK_SECRET: 'short' }, [])).toThrow(new ConfigError('SHARE_LINK_SECRET must be at least 32 characters'));
    expect(() => parseConfig({}, ['--role=boss'])).toThrow(/--role must be one of all, api, worker/);
    expect(() => parseConfig({ REDIS_PREFIX: 'a b' }, [])).toThrow(/REDIS_PREFIX/);
  });

  it('reads the role from the command line', () => {
    expect(parseConfig({}, ['--role=worker']).role).toBe('worker');
  });
});
