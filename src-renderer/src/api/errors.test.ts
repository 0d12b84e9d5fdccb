import { describe, expect, it } from 'vitest';
import { errorMessage, isCancelled } from './errors';

class FakeTransportError extends Error {
  constructor(readonly code: string, message: string, readonly issues?: { path: string; message: string }[]) { super(message); }
}

describe('error messages in place', () => {
  it('names the action, the host message and the bad fields', () => {
    const e = new FakeTransportError('BAD_REQUEST', 'Invalid request', [{ path: 'maskIds', message: 'must have at least 1 item' }]);
    expect(errorMessage(e, 'Generate')).toBe('Generate failed: Invalid request (maskIds: must have at least 1 item).');
  });

  it('does not repeat a field problem the message already says', () => {
    const msg = 'A name cannot be empty: type at least one character.';
    expect(errorMessage(new FakeTransportError('BAD_REQUEST', msg, [{ path: 'name', message: msg }]), 'Rename')).toBe(`Rename failed: ${msg}`);
  });

  it('adds what to do for an unavailable host and reads plain errors', () => {
    expect(errorMessage({ code: 'UNAVAILABLE', message: 'worker busy' }, 'Generate')).toMatch(/worker busy\. Retry in a moment/);
    // A message with its own instruction keeps it alone (a restarted host: open the URL it printed).
    const stale = "The app host was restarted and no longer accepts this window's session token: open the URL it printed when it started. Your library is kept.";
    expect(errorMessage({ code: 'UNAVAILABLE', message: stale }, 'Saving the masks')).toBe(`Saving the masks failed: ${stale}`);
    expect(errorMessage(new Error('disk full'), 'Export')).toBe('Export failed: disk full');
    expect(errorMessage('boom', 'Export')).toBe('Export failed: boom');
  });

  it('recognises cancellation from either transport', () => {
    expect(isCancelled({ code: 'CANCELLED', message: 'x' })).toBe(true);
    const abort = new Error('aborted'); abort.name = 'AbortError';
    expect(isCancelled(abort)).toBe(true);
    expect(isCancelled(new Error('other'))).toBe(false);
  });
});
