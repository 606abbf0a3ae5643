import { loadConfig, ConfigError } from './load-config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/clinic',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('accepts a minimal valid environment and applies defaults', () => {
    const config = loadConfig(valid);
    expect(config.PORT).toBe(3000);
    expect(config.QUEUE_PREFIX).toBe('clinic');
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ ...valid, JWT_SECRET: undefined, REDIS_URL: 'http://x', PORT: 'abc' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('JWT_SECRET is required');
    expect(message).toContain('REDIS_URL must be a URL');
    expect(message).toContain('PORT');
  });

  it('API_PROCESSES: 1 unless given, a whole number from 1', () => {
    expect(loadConfig(valid).API_PROCESSES).toBe(1);
    expect(loadConfig({ ...valid, API_PROCESSES: '2' }).API_PROCESSES).toBe(2);
    expect(() => loadConfig({ ...valid, API_PROCESSES: '0' })).toThrow(/API_PROCESSES/);
    expect(() => loadConfig({ ...valid, API_PROCESSES: 'two' })).toThrow(/API_PROCESSES/);
  });
});
