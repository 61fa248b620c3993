// @ts-check
/**
 * Container names and ids as the UI shows and filters them. The server's definitions are in
 * src/shared/container-ref.ts, which browser code cannot import.
 */

/** What the events filter accepts: an exact container name or the start of an id. */
export const CONTAINER_FILTER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * A short id as `docker ps` shows it: the first 12 characters.
 * @param {unknown} id
 */
export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 12) : '';
}

/**
 * An image by digest only is shown short, as `docker ps` does.
 * @param {string} image
 */
export function imageText(image) {
  return image.startsWith('sha256:') ? image.slice(0, 19) : image;
}
