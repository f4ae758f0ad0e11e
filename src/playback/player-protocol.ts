/**
 * What the player child and its parent agree on. Kept apart from the child's entry module, which
 * starts playing from stdin as soon as it is loaded and must only ever run in the child.
 */

/** Printed on the child's stdout once the sound device is open. */
export const READY = 'ready';

/** The child's exit status when the optional speaker package is missing or unbuilt. */
export const EXIT_NO_SPEAKER = 10;
