/**
 * Hiding the secret part of a URL. A webhook URL is often itself the credential (Slack's and
 * Discord's carry it in the path, others in the query or user info), so only the scheme and
 * host may appear in a log line, an error message or an API answer.
 */

/**
 * `https://hooks.slack.com/services/T0/B0/x` → `https://hooks.slack.com/***`; a URL with
 * nothing past the host stays `https://example.com/`; an unparsable one becomes `***`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden =
      u.username !== '' || u.password !== '' || u.pathname.length > 1 || u.search !== '' || u.hash !== '';
    return `${u.protocol}//${u.host}/${hidden ? '***' : ''}`;
  } catch {
    return '***';
  }
}

/** `text` (e.g. an error message) with `url`, and its user info, path and query alone, redacted. */
export function redactUrlIn(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const { pathname, search, username, password } = new URL(url);
    // Shorter parts would blank out unrelated letters of the message.
    for (const part of [password, username]) if (part.length >= 3) out = out.split(part).join('***');
    if (pathname.length > 1) out = out.split(pathname).join('/***');
    if (search) out = out.split(search).join('?***');
  } catch {
    // An unparsable URL has nothing more to hide than the whole string, handled above.
  }
  return out;
}
