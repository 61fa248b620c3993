import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../../../src/store/types.js';

describe('the web UI', () => {
  it('knows every audit event type the server records, and no other', () => {
    // The browser cannot import the TypeScript list, so the UI keeps its own; read it as text.
    const source = readFileSync(new URL('../../../web/lib/event-types.js', import.meta.url), 'utf8');
    const block = /const TYPE_TEXT = \{([^}]*)\}/.exec(source)?.[1] ?? '';
    const keys = [...block.matchAll(/^\s*([a-z_]+):/gm)].map((m) => m[1]);
    expect(keys).toEqual([...AUDIT_EVENT_TYPES]);
  });
});
