/** Keeps the bearer token across reloads. */
const KEY = 'story-pipeline.token';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode): the session lasts until reload
  }
}

export function loadToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function saveToken(token: string | null): void {
  const s = storage();
  if (!s) return;
  if (token) s.setItem(KEY, token);
  else s.removeItem(KEY);
}
