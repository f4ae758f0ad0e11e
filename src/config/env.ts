/**
 * The environment a run reads (keys, base URLs, XDG folders, PATH), handed in rather than read from
 * `process.env`, so a test can give its own.
 */
export type Env = Readonly<Record<string, string | undefined>>;
