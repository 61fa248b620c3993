/**
 * How a container is referred to: its id (64 lowercase hex characters), an id prefix of at
 * least 12 of them (what `docker ps` shows), or its name. The one definition the engine
 * adapter, enrollment, the supervisor, the configuration and the API share. (The browser
 * code in web/ cannot import this module and keeps its own 12-character `shortId`.)
 */

/** Hex characters `docker ps` shows, and the fewest an id prefix must have. */
export const SHORT_ID_LENGTH = 12;

/** Regular-expression source of a full id, for patterns that embed one. */
export const FULL_ID_SOURCE = '[0-9a-f]{64}';
/** Regular-expression source of an id prefix (12 to 64 hex characters). */
export const ID_PREFIX_SOURCE = `[0-9a-f]{${SHORT_ID_LENGTH},64}`;

const FULL_ID = new RegExp(`^${FULL_ID_SOURCE}$`);
const ID_PREFIX = new RegExp(`^${ID_PREFIX_SOURCE}$`);

export function isFullId(value: string): boolean {
  return FULL_ID.test(value);
}

/** 12 to 64 lowercase hex characters: a full id or a prefix long enough to mean one. */
export function isIdPrefix(value: string): boolean {
  return ID_PREFIX.test(value);
}

/** The id as `docker ps` shows it. */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/** True when `ref` is the id of the container `id`, in full or as a prefix of at least 12. */
export function idMatches(id: string, ref: string): boolean {
  return isIdPrefix(ref) && id.startsWith(ref);
}

/** A name without the leading slash(es) the engine puts before it (`/web` → `web`). */
export function bareName(name: string): string {
  return name.replace(/^\/+/, '');
}
