// @ts-check
/**
 * What app.js hands every view: the shared live stream, the enrollment label key, and the
 * container names the filters suggest.
 * @typedef {object} ViewContext
 * @property {import('../lib/stream.js').LiveStream} stream
 * @property {string} labelKey  AUTOHEAL_CONTAINER_LABEL (`autoheal` until the config is read).
 * @property {(names: string[]) => void} setContainerNames
 */

/**
 * The props of a routed view: the context, the hash's query, and the route's captured parts
 * (e.g. a container name for `#/containers/<name>`).
 * @typedef {object} ViewProps
 * @property {ViewContext} ctx
 * @property {URLSearchParams} params
 * @property {string[]} args
 */

export {};
