/**
 * Characters that change how text reads without being seen: bidirectional overrides and
 * isolates (an attacker's `\u202Egnp.exe` reads as "exe.png"), zero-width characters and C0/C1
 * controls. Wherever event text is shown — webviews, tab titles — they appear as visible markers.
 * Pure, with no Node or DOM dependency: the host and the webviews both use it.
 */
const HIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** `text` cut to `max` characters (with an ellipsis) and revealed: for labels and titles outside webviews. */
export function shorten(text: string, max: number): string {
  return reveal(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

/** `text` with invisible and direction-changing characters made visible as ⟦U+XXXX⟧. */
export function reveal(text: string): string {
  return text.replace(HIDDEN, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}
