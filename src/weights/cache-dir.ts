/**
 * Where downloaded weights live. `DREAMFLOW_CACHE` wins; otherwise the XDG Base Directory convention:
 * `$XDG_CACHE_HOME/dreamflow`, or `~/.cache/dreamflow` when XDG_CACHE_HOME is unset or not absolute
 * (the spec says relative values are to be ignored). Weights go in its `weights/` subfolder.
 */
import os from 'node:os';
import path from 'node:path';

export function dreamflowCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.DREAMFLOW_CACHE?.trim();
  if (explicit) return path.resolve(explicit);
  const xdg = env.XDG_CACHE_HOME?.trim();
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME?.trim() || os.homedir(), '.cache');
  return path.join(base, 'dreamflow');
}

/** The folder holding weight files (`<cache>/weights`). */
export function weightsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dreamflowCacheDir(env), 'weights');
}
