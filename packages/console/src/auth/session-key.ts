/**
 * The API key of this browser tab. Kept in sessionStorage only: gone when the tab closes, never
 * in localStorage (shared across tabs, kept forever) and never in a URL (logs, history, referrers).
 */
const STORAGE_KEY = "portflow.apiKey";

export function readSessionKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function writeSessionKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function clearSessionKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
