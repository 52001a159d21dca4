/**
 * The one typed handle on VS Code's webview API (docs/architecture.md, "One way to do each thing").
 * Each panel names the messages it sends (its protocol's `From…` type) and the state it keeps, so
 * a message of the wrong shape fails to compile on this side; the host validates it all the same.
 */

/** What `acquireVsCodeApi()` returns, typed for one panel. */
export interface VsCodeApi<From, State> {
  postMessage(msg: From): void;
  getState(): Partial<State> | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
};

/** The webview API, once per page (VS Code allows a single `acquireVsCodeApi` call). */
export function vscodeApi<From, State = never>(): VsCodeApi<From, State> {
  return acquireVsCodeApi() as VsCodeApi<From, State>;
}
