import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';
import { parseTrustProxy } from './trust-proxy.js';

test('TRUST_PROXY: off, on, a hop count, or addresses and CIDRs', () => {
  assert.deepEqual(parseTrustProxy('off'), { value: false });
  assert.deepEqual(parseTrustProxy('false'), { value: false });
  assert.deepEqual(parseTrustProxy('on'), { value: true });
  assert.deepEqual(parseTrustProxy('2'), { value: 2 });
  assert.deepEqual(parseTrustProxy('10.0.0.5, 10.1.0.0/16,fd00::/8,loopback'), {
    value: ['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback'],
  });
  assert.equal(loadConfig({}).trustProxy, false, 'off unless set');
});

test('a bad TRUST_PROXY is refused with every valid form, naming what is wrong', () => {
  for (const bad of ['yes', '0', '101', '10.0.0.0/33', '10.0.0.1,proxy.internal', '::1/129', '1.2.3']) {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: bad }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /^Invalid configuration: TRUST_PROXY=".*": must be off, on .*a hop count from 1 to 100.*CIDRs/,
        );
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
      bad,
    );
  }
  assert.throws(
    () => loadConfig({ TRUST_PROXY: '10.0.0.1,proxy.internal' }),
    /not an address or CIDR: "proxy\.internal"/,
  );
});

test('every bad setting gets one line naming the variable and its valid values or range', () => {
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    assert.fail(`accepted ${JSON.stringify(env)}`);
  };
  assert.equal(
    message({ LOG_LEVEL: 'verbose' }),
    'Invalid configuration: LOG_LEVEL="verbose": must be one of fatal, error, warn, info, debug, trace, silent',
  );
  assert.equal(message({ PORT: '80x' }), 'Invalid configuration: PORT="80x": must be a whole number from 0 to 65535');
  assert.equal(
    message({ PORT: '70000' }),
    'Invalid configuration: PORT="70000": must be a whole number from 0 to 65535',
  );
  assert.equal(
    message({ RATE_LIMIT_REQUESTS: '-1' }),
    'Invalid configuration: RATE_LIMIT_REQUESTS="-1": must be a whole number, at least 0',
  );
  assert.match(message({ WEBHOOK_DELIVERY: 'yes' }), /WEBHOOK_DELIVERY="yes": must be one of on, off$/);
  assert.match(
    message({ PUBLIC_URL: 'scim.example.com' }),
    /PUBLIC_URL="scim.example.com": must be an http:\/\/ or https:\/\/ URL/,
  );
  // Every numeric variable names its whole range, whichever bound was crossed.
  const numeric = [
    'PORT',
    'BODY_LIMIT_BYTES',
    'MAX_PAGE_SIZE',
    'MAX_PAGE_BYTES',
    'RATE_LIMIT_REQUESTS',
    'RATE_LIMIT_WINDOW_SECONDS',
    'DB_POOL_SIZE',
    'LOG_RETENTION_DAYS',
    'EVENT_RETENTION_DAYS',
    'WEBHOOK_POLL_INTERVAL_MS',
    'WEBHOOK_CONCURRENCY',
    'WEBHOOK_TIMEOUT_MS',
    'WEBHOOK_BACKOFF_BASE_MS',
    'WEBHOOK_BACKOFF_MAX_MS',
    'WEBHOOK_DISABLE_AFTER_HOURS',
    'WEBHOOK_DISABLE_AFTER_ATTEMPTS',
    'WEBHOOK_DISCOVER_INTERVAL_MS',
    'WEBHOOK_DELIVERY_RETENTION_DAYS',
    'DB_STATEMENT_TIMEOUT_MS',
    'DB_ACQUIRE_TIMEOUT_MS',
    'TENANT_CONCURRENCY',
    'TENANT_QUEUE',
    'TENANT_QUEUE_TIMEOUT_MS',
    'REQUEST_TIMEOUT_MS',
    'HEADERS_TIMEOUT_MS',
    'KEEP_ALIVE_TIMEOUT_MS',
    'SOCKET_IDLE_TIMEOUT_MS',
    'MAX_CONNECTIONS',
    'METRICS_PORT',
  ];
  for (const name of numeric) {
    assert.match(
      message({ [name]: 'ten' }),
      new RegExp(`^Invalid configuration: ${name}="ten": must be a whole number( from \\d+ to \\d+|, at least \\d+)$`),
    );
  }
  assert.match(
    message({ HOST: '0.0.0.0:8080' }),
    /HOST="0.0.0.0:8080": must be an IP address or a host name .*without scheme or port/,
  );
  assert.match(message({ METRICS_HOST: 'http://10.0.0.1' }), /METRICS_HOST="http:\/\/10.0.0.1": must be an IP address/);
  for (const host of ['0.0.0.0', '::', '127.0.0.1', 'localhost', 'scim-1.internal']) {
    assert.equal(loadConfig({ HOST: host }).host, host);
  }
  // Several at once: all of them, in one line.
  assert.equal(message({ LOG_LEVEL: 'loud', PORT: 'x' }).split('; ').length, 2);
});
