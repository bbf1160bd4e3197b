import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, refusal } from '../../../test/helpers/refusal.ts';
import { ChallengeGate, SandboxChallenge, SiteVerifyChallenge, type ChallengeVerifier } from './challenge.ts';

describe('SiteVerifyChallenge', () => {
  let server: http.Server;
  let url: string;
  const received: Record<string, string>[] = [];
  /** What the fake provider does with the next request, by token. */
  const behaviour: Record<string, (res: http.ServerResponse) => void> = {
    good: (res) => res.end(JSON.stringify({ success: true, hostname: 'shop.example' })),
    bad: (res) => res.end(JSON.stringify({ success: false, 'error-codes': ['invalid-input-response'] })),
    broken: (res) => res.writeHead(500).end('oops'),
    odd: (res) => res.end(JSON.stringify({ ok: 1 })),
    // Answers long after the verifier's short timeout, so a loaded machine cannot make it look fast.
    slow: (res) => setTimeout(() => res.end(JSON.stringify({ success: true })), 5_000).unref(),
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        received.push({ ...form, contentType: req.headers['content-type'] ?? '', method: req.method ?? '' });
        behaviour[form.response ?? '']!(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // A generous timeout where the provider answers at once; a short one only where the test wants it to run out.
  const verifier = (timeoutMs = 10_000) => new SiteVerifyChallenge({ verifyUrl: url, secret: 's3cret', siteKey: 'site-key', timeoutMs });

  it('posts secret, token and client address as a form and reads success', async () => {
    expect(await verifier().verify('good', '203.0.113.9')).toBe(true);
    expect(received.at(-1)).toEqual({ secret: 's3cret', response: 'good', remoteip: '203.0.113.9', contentType: expect.stringContaining('application/x-www-form-urlencoded'), method: 'POST' });
    expect(await verifier().verify('bad', undefined)).toBe(false);
    expect(received.at(-1)).not.toHaveProperty('remoteip');
    expect(verifier().siteKey).toBe('site-key');
  });

  it('treats an error status, an odd answer or a timeout as unavailable, never as passed', async () => {
    for (const token of ['broken', 'odd']) expect(await codeOf(verifier().verify(token, undefined))).toBe('challenge_unavailable');
    expect(await codeOf(verifier(200).verify('slow', undefined))).toBe('challenge_unavailable');
    const closed = new SiteVerifyChallenge({ verifyUrl: 'http://127.0.0.1:1/siteverify', secret: 's', siteKey: null, timeoutMs: 200 });
    expect(await codeOf(closed.verify('good', undefined))).toBe('challenge_unavailable');
  });
});

describe('ChallengeGate', () => {
  it('passes a sandbox pass_ token once, and nothing else', async () => {
    const gate = new ChallengeGate(new SandboxChallenge());
    const request = { customerId: 'c1', idempotencyKey: 'k1' };
    expect(await codeOf(gate.pass(request, undefined, undefined, ['p']))).toBe('challenge_required');
    expect(await codeOf(gate.pass(request, 'guess', undefined, ['p']))).toBe('challenge_failed');
    await expect(gate.pass(request, 'pass_a', undefined, ['p'])).resolves.toBeUndefined();
    // A copy of the same request is answered from the first verification…
    await expect(gate.pass(request, 'pass_a', undefined, ['p'])).resolves.toBeUndefined();
    // …but the token is spent for any other request, the same customer's included.
    expect(await codeOf(gate.pass({ customerId: 'c1', idempotencyKey: 'k2' }, 'pass_a', undefined, ['p']))).toBe('challenge_failed');
    expect(await codeOf(gate.pass({ customerId: 'c2', idempotencyKey: 'k1' }, 'pass_a', undefined, ['p']))).toBe('challenge_failed');
  });

  it('asks the provider once for concurrent duplicates, and again after an outage', async () => {
    let calls = 0;
    let down = true;
    const provider: ChallengeVerifier = {
      siteKey: 'k',
      async verify() {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (down) throw new Error('down');
        return true;
      },
    };
    const gate = new ChallengeGate(provider);
    const first = await Promise.allSettled(Array.from({ length: 5 }, () => gate.pass({ customerId: 'c', idempotencyKey: 'k' }, 'tok', undefined, ['p'])));
    expect(first.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    down = false;
    await expect(gate.pass({ customerId: 'c', idempotencyKey: 'k' }, 'tok', undefined, ['p'])).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('names the products and the site key when it asks', async () => {
    const gate = new ChallengeGate(new SandboxChallenge());
    const error = await refusal(gate.pass({ customerId: 'c', idempotencyKey: 'k' }, undefined, undefined, ['p1', 'p2']));
    expect(error.details).toEqual({ product_ids: ['p1', 'p2'], site_key: 'sandbox' });
  });
});
