/**
 * The only place that writes webview HTML (docs/architecture.md, "Security"): `default-src 'none'`, the one script by
 * nonce, styles and fonts from the extension only, no inline handlers, no data in the markup.
 * Event data reaches the page only through postMessage.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { htmlHead } from '../core/model/html';

export interface WebviewPage {
  title: string;
  /** Script path under the extension root (a browser bundle in dist/webview/). */
  script: string;
  /** Stylesheet paths under the extension root. */
  styles: string[];
}

/** Webview options limiting local loads to the bundle and media folders. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/**
 * A webview panel of ours: our icon, webviewOptions' local roots, and (given a page) its HTML from
 * renderWebviewHtml. Every panel the extension opens is made here.
 */
export function openWebviewPanel(
  extensionUri: vscode.Uri,
  viewType: string,
  title: string,
  show: vscode.ViewColumn | { readonly viewColumn: vscode.ViewColumn; readonly preserveFocus?: boolean },
  page?: WebviewPage,
): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, show, webviewOptions(extensionUri));
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'cloudtrail-lens.svg');
  if (page) panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, page);
  return panel;
}

export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const src = (p: string): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p.split('/'))).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `${htmlHead(csp, page.title)}
${page.styles.map((s) => `<link rel="stylesheet" href="${src(s)}">`).join('\n')}
</head>
<body>
<div id="app" role="application"></div>
<script nonce="${nonce}" src="${src(page.script)}"></script>
</body>
</html>`;
}
