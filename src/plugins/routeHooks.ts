/** A route option's hooks (one function, several, or none) followed by one more: for `onRoute` hooks that add their own. */
export const withHook = <T>(hooks: T | T[] | undefined, hook: T): T[] =>
  hooks === undefined ? [hook] : Array.isArray(hooks) ? [...hooks, hook] : [hooks, hook];
