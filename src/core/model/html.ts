/**
 * HTML text for the documents the extension writes (webview pages, exported reports): escaping,
 * and the one opening of a page's head. Strings only, no DOM.
 */

/** `s` as HTML text or an attribute value: & < > " ' as character references. */
export function htmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page from its doctype to its <title>: English, UTF-8, the content security policy `csp`
 * (the caller's own text, not escaped), the device's width. The caller closes the head.
 */
export function htmlHead(csp: string, title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(title)}</title>`;
}
