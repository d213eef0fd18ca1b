import { HealthRegistry, PROBE_TIMEOUT_MS } from './health-registry';

describe('HealthRegistry', () => {
  it('reports every registered component', async () => {
    const registry = new HealthRegistry();
    registry.register('sip', () => ({ status: 'up', udp: '127.0.0.1:5060' }));
    registry.register('h323', async () => ({ status: 'down', reason: 'not listening' }));
    await expect(registry.report()).resolves.toEqual({ sip: { status: 'up', udp: '127.0.0.1:5060' }, h323: { status: 'down', reason: 'not listening' } });
  });

  it('turns throwing, rejecting and slow probes into down', async () => {
    const registry = new HealthRegistry();
    registry.register('throws', () => {
      throw new Error('boom');
    });
    registry.register('rejects', () => Promise.reject(new Error('nope')));
    registry.register('slow', () => new Promise(() => undefined));
    jest.useFakeTimers();
    try {
      const report = registry.report();
      await jest.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS);
      await expect(report).resolves.toEqual({
        throws: { status: 'down', error: 'Error: boom' },
        rejects: { status: 'down', error: 'Error: nope' },
        slow: { status: 'down', error: `no answer within ${PROBE_TIMEOUT_MS} ms` },
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('unregisters, and keeps the reserved names for itself', async () => {
    const registry = new HealthRegistry();
    const unregister = registry.register('sip', () => ({ status: 'up' }));
    unregister();
    await expect(registry.report()).resolves.toEqual({});
    expect(() => registry.register('redis', () => ({ status: 'up' }))).toThrow(/reserved/);
    expect(() => registry.register('status', () => ({ status: 'up' }))).toThrow(/reserved/);
  });
});
