/**
 * Start-up of the Temporal dev server when a port is taken under it: which failures are retried
 * (src/dev/temporal.ts `isPortClash`), and that a retry can ask for the same ports again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPortClash } from '../../../src/dev/temporal.js';
import { freePorts, portsPreferring, releasePorts } from '../../../src/dev/ports.js';

// The failure seen in a fresh-clone `npm test` (waitUntil's message with the server's log tail).
const CLASH = [
  'temporal dev server: process exited during start-up.',
  'last lines of /tmp/nasflow-mnas-lat-qup6tH/home/temporal.log:',
  'time=2026-11-30T18:23:32.968 level=ERROR msg="Failed to start gRPC listener" error="listen tcp 127.0.0.1:45787: bind: address already in use" service=matching address=127.0.0.1:45787',
  'panic: runtime error: invalid memory address or nil pointer dereference',
].join('\n');

void describe('Temporal dev server start-up retries', () => {
  void it('retries a server that exited because a port was taken, and nothing else', () => {
    assert.equal(isPortClash(new Error(CLASH)), true);
    assert.equal(
      isPortClash(new Error('temporal dev server: not ready after 60 s.\nlast lines of x: bind: address already in use')),
      false,
      'a hung server is not retried',
    );
    assert.equal(isPortClash(new Error('temporal dev server: process exited during start-up.\nlast lines of x:\nunable to open database file')), false);
    assert.equal(isPortClash('address already in use'), false);
  });

  void it('gives released ports back, so the retry keeps the address', async () => {
    const first = await freePorts(4);
    assert.notDeepEqual(await portsPreferring(first, 4), first, 'ports already handed out are not handed out again');
    releasePorts(first);
    assert.deepEqual(await portsPreferring(first, 4), first);
  });
});
