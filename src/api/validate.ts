/**
 * Turning untrusted request parts (JSON bodies, query strings, path parameters) into typed
 * values, or into a 4xx whose message names the field and says what it accepts.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, quote } from './errors.js';

/** Bodies over 64 KiB are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

type Path = readonly PropertyKey[];

function pathString(root: string, path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? root : out;
}

/** One line naming the first wrong field, e.g. `excluded[3]: must be a container name or 12-64 hex id`. */
export function describeIssues(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  if (!issue) return `${root}: is invalid`;
  const where = pathString(root, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const prefix = issue.path.length === 0 ? '' : `${where}.`;
    return `${prefix}${quote(key)}: unknown field`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.message.endsWith('received undefined')) return `${where}: is required`;
    if (issue.message.startsWith('Invalid input')) {
      const expected =
        issue.expected === 'object' && issue.path.length === 0 ? 'a JSON object' : `a ${issue.expected}`;
      return `${where}: must be ${expected}`;
    }
  }
  return `${where}: ${issue.message}`;
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType = '', ...params] = header.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return false;
  // Bodies are decoded as UTF-8; a client announcing another charset would be misread.
  return params.every((p) => {
    const [name = '', value = ''] = p.split('=');
    return name.trim().toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value.trim());
  });
}

/**
 * Reads at most MAX_BODY_BYTES. `bodyLimit` has already refused a larger declared length;
 * this also holds when a Content-Length is absent or lies.
 */
async function readCapped(c: Context): Promise<Uint8Array> {
  const body = c.req.raw.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw new ApiError(413, `body: must be at most ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'body: could not be read');
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON body, validated: 415 unless `application/json`, 413 when too big, 400 otherwise wrong. */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (!isJsonContentType(c.req.header('content-type'))) {
    throw new ApiError(415, 'body: must be JSON, sent with Content-Type: application/json');
  }
  const bytes = await readCapped(c);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError(400, 'body: is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      text.trim() === '' ? 'body: is empty; a JSON object is required' : 'body: is not valid JSON',
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, describeIssues(result.error, 'body'));
  return result.data;
}

/**
 * The query string, validated against a strict object schema of optional string fields:
 * an unknown or repeated parameter is a 400 naming it.
 */
export function readQuery<S extends z.ZodObject>(c: Context, schema: S): z.output<S> {
  const known = Object.keys(schema.shape);
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (!known.includes(name)) {
      throw new ApiError(400, `${quote(name)}: unknown query parameter (accepted: ${known.join(', ')})`);
    }
    if (values.length !== 1) throw new ApiError(400, `${name}: must be given once`);
    single[name] = values[0] ?? '';
  }
  const result = schema.safeParse(single);
  if (!result.success) throw new ApiError(400, describeIssues(result.error, 'query'));
  return result.data;
}

/** A path parameter, validated. */
export function readParam<S extends z.ZodType>(c: Context, name: string, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.param(name) ?? '');
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(400, `${name}: ${issue?.message ?? 'is invalid'}`);
  }
  return result.data;
}
