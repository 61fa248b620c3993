/**
 * The token requests between the UI's API client and its dialogs (web/lib/ask-token.js):
 * a request made before its dialog is drawn still reaches the dialog, so the first session
 * check cannot race the login dialog.
 */
import { describe, expect, it } from 'vitest';

interface TokenRequest {
  problem: string | null;
  answer(token: string): void;
  cancel(): void;
}
type Kind = 'login' | 'change';
const { requestToken, subscribeTokenRequests, Cancelled } = (await import(
  // @ts-expect-error: plain browser JavaScript; web/tsconfig.json checks it, not this project.
  '../../../web/lib/ask-token.js'
)) as {
  requestToken(kind: Kind, problem?: string | null): Promise<string>;
  subscribeTokenRequests(kind: Kind, listener: (r: TokenRequest | null) => void): () => void;
  Cancelled: new () => Error;
};

describe('token requests', () => {
  it('reach a dialog that subscribes after the request was made', async () => {
    const asked = requestToken('login', 'try again');
    const seen: Array<TokenRequest | null> = [];
    const off = subscribeTokenRequests('login', (r) => seen.push(r));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.problem).toBe('try again');
    seen[0]?.answer('the-token');
    await expect(asked).resolves.toBe('the-token');
    // Answered: the dialog is told to close.
    expect(seen.at(-1)).toBeNull();
    off();
  });

  it('are cancelled as Cancelled, and only the kind asked for is shown', async () => {
    const login: Array<TokenRequest | null> = [];
    const offLogin = subscribeTokenRequests('login', (r) => login.push(r));
    const asked = requestToken('change');
    expect(login).toEqual([null]);
    let change: TokenRequest | null = null;
    const offChange = subscribeTokenRequests('change', (r) => {
      change = r;
    });
    (change as TokenRequest | null)?.cancel();
    await expect(asked).rejects.toBeInstanceOf(Cancelled);
    expect(change).toBeNull();
    offLogin();
    offChange();
  });

  it('replace an older request of the same kind, which is cancelled', async () => {
    const first = requestToken('change');
    const second = requestToken('change');
    await expect(first).rejects.toBeInstanceOf(Cancelled);
    const off = subscribeTokenRequests('change', (r) => r?.answer('t'));
    await expect(second).resolves.toBe('t');
    off();
  });
});
