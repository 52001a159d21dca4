/**
 * The credential chain in the event view's Who section: from the origin (an IAM user, an
 * Identity Center user, an instance…) through each credential-issuing call to this event. A
 * loaded hop's issuing event opens in the event view; inferred hops (their call is not loaded)
 * and cross-account hops are marked; hostile chains (loops, too long) end with the note that says
 * so. Text only: every label comes from events.
 */
import type { ChainHopView, ChainView } from '../../protocol/identity';
import { clip, el } from '../shared/dom';

export interface ChainHooks {
  /** Hops open only when the log view the event came from is still open. */
  linked: boolean;
  openHop(row: number): void;
}

const END_NOTES: Record<ChainView['end'], string> = {
  origin: '',
  missing:
    'The call that minted a key along this chain is not loaded: the hops marked inferred are read from the session\u2019s own identity.',
  loop: 'The chain loops back on itself: the logs are inconsistent (altered or merged). It ends here.',
  tooLong: 'The chain is longer than any real role chain: it is cut here.',
};

/** `origin → hop → … → this event` on one line, as text. */
export function chainLine(c: ChainView): string {
  const origin = c.end === 'loop' || c.end === 'tooLong' ? '(no origin: see the note)' : c.origin.label;
  return [origin, ...c.hops.map((h) => h.identity), 'this event'].map((s) => clip(s, 200)).join(' \u2192 ');
}

function badge(text: string, className: string, title?: string): HTMLElement {
  const b = el('span', { className: `badge ${className}`, textContent: text });
  if (title) b.title = title;
  return b;
}

function hopItem(h: ChainHopView, hooks: ChainHooks): HTMLElement {
  const li = el('li', { className: `hop${h.inferred ? ' inferred' : ''}${h.crossAccount ? ' cross-account' : ''}` });
  const name = clip(h.eventName, 120) || '(call)';
  let call: HTMLElement;
  if (h.row !== null && hooks.linked) {
    const row = h.row;
    call = el('button', {
      className: 'pivot hop-open',
      type: 'button',
      textContent: name,
      title: `Open the ${clip(h.eventName, 120)} event that minted ${clip(h.key, 200) || 'these credentials'}`,
    });
    call.dataset.row = String(row);
    call.addEventListener('click', () => hooks.openHop(row));
  } else call = el('span', { className: 'hop-call', textContent: name });
  const head = el('div', { className: 'hop-head' }, [
    el('span', { className: 'arrow', textContent: '\u2192 ' }),
    call,
    el('span', { className: 'hop-identity mono', textContent: ` ${clip(h.identity, 300)}` }),
  ]);
  if (h.inferred)
    head.append(badge('inferred', 'inferred', 'Its issuing event is not loaded: deduced from a later identity.'));
  if (h.crossAccount)
    head.append(
      badge(
        'cross-account',
        'cross',
        `From account ${clip(h.callerAccount, 40) || '?'} into ${clip(h.account, 40) || '?'}`,
      ),
    );
  li.append(head);
  const meta = [
    h.timeUtc,
    h.sourceIp && `from ${h.sourceIp}`,
    h.account && `account ${h.account}`,
    h.sourceIdentity && `source identity ${h.sourceIdentity}`,
  ]
    .filter(Boolean)
    .map((s) => clip(s, 300));
  if (meta.length) li.append(el('div', { className: 'hop-meta mono', textContent: meta.join(' \u00b7 ') }));
  return li;
}

/** The chain block; undefined when there is none to show. */
export function renderChain(c: ChainView | undefined, hooks: ChainHooks): HTMLElement | undefined {
  if (!c) return undefined;
  const hostile = c.end === 'loop' || c.end === 'tooLong';
  const origin = el('li', { className: `hop origin${c.origin.inferred ? ' inferred' : ''}` }, [
    el('div', { className: 'hop-head' }, [
      el('span', {
        className: 'origin-label',
        textContent: hostile ? '(no origin: see the note)' : clip(c.origin.label, 300) || 'unknown origin',
      }),
    ]),
  ]);
  if (c.origin.inferred && !hostile)
    origin.firstElementChild!.append(
      badge('inferred', 'inferred', 'Deduced from the session\u2019s identity: the calls before it are not loaded.'),
    );
  const originMeta = [c.origin.arn, c.origin.account && `account ${c.origin.account}`]
    .filter(Boolean)
    .map((s) => clip(s, 300));
  if (originMeta.length && !hostile)
    origin.append(el('div', { className: 'hop-meta mono', textContent: originMeta.join(' \u00b7 ') }));
  const list = el('ul', { className: 'chain-hops' }, [
    origin,
    ...c.hops.map((h) => hopItem(h, hooks)),
    el('li', { className: 'hop this' }, [
      el('div', { className: 'hop-head' }, [
        el('span', { className: 'arrow', textContent: '\u2192 ' }),
        el('span', { textContent: 'this event' }),
      ]),
    ]),
  ]);
  const block = el('div', { className: `chain chain-${c.end}` }, [
    el('div', { className: 'chain-title', textContent: 'Credential chain' }),
    el('div', { className: 'chain-line', textContent: chainLine(c) }),
    list,
  ]);
  const notes = [END_NOTES[c.end], ...c.notes].filter(Boolean);
  for (const n of notes)
    block.append(
      el('div', {
        className: `chain-note${hostile ? ' danger' : ''}`,
        role: hostile ? 'alert' : undefined,
        textContent: clip(n, 1000),
      }),
    );
  return block;
}

const strings = (x: Record<string, unknown>, keys: string[]): boolean => keys.every((k) => typeof x[k] === 'string');

/** A chain the page can lay out (hops and notes checked one by one); undefined otherwise. */
export function parseChain(c: unknown): ChainView | undefined {
  if (typeof c !== 'object' || c === null) return undefined;
  const x = c as Record<string, unknown>;
  const o = x.origin as Record<string, unknown> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    !strings(o, ['kind', 'label', 'arn', 'account']) ||
    typeof o.inferred !== 'boolean'
  )
    return undefined;
  if (
    !['origin', 'missing', 'loop', 'tooLong'].includes(x.end as string) ||
    !Array.isArray(x.hops) ||
    !Array.isArray(x.notes)
  )
    return undefined;
  const hops = x.hops.filter((h): h is ChainView['hops'][number] => {
    const y = h as Record<string, unknown> | null;
    return (
      !!y &&
      strings(y, [
        'eventName',
        'identity',
        'identityArn',
        'account',
        'callerAccount',
        'key',
        'timeUtc',
        'sourceIp',
        'sourceIdentity',
      ]) &&
      typeof y.inferred === 'boolean' &&
      typeof y.crossAccount === 'boolean' &&
      (y.row === null || (typeof y.row === 'number' && Number.isSafeInteger(y.row)))
    );
  });
  const origin = {
    kind: o.kind as string,
    label: o.label as string,
    arn: o.arn as string,
    account: o.account as string,
    inferred: o.inferred,
  };
  return {
    origin,
    hops,
    end: x.end as ChainView['end'],
    notes: x.notes.filter((n): n is string => typeof n === 'string'),
  };
}
