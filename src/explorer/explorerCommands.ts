/**
 * Commands of the AWS explorer: refresh, choosing profiles and regions, filtering recent events,
 * loading more, opening events, the seed questions ("who did this to a resource", "what did
 * this user or key do"), and SSO sign-in.
 */
import * as vscode from 'vscode';
import * as config from '../common/config';
import {
  attributeProblem,
  customRange,
  LOOKUP_ATTRIBUTES,
  type LookupAttributeKey,
  type LookupFilter,
  NO_FILTER,
  RANGE_PRESETS,
  type RangePreset,
  type TimeRange,
} from '../core/query/lookupFilter';
import { REGIONS } from '../core/aws/regions';
import { EventNode } from './eventNode';
import { EventsNode } from './eventsNode';
import type { ExplorerNode } from './explorerNode';
import type { ExplorerProvider } from './explorerProvider';
import { ErrorNode } from './messageNodes';
import { ProfileNode } from './profileNode';
import { RegionNode } from './regionNode';
import { CommandId } from '../common/commandIds';
import type { CommandHandler, Commands } from '../common/commands';

const ATTRIBUTE_HINTS: Record<LookupAttributeKey, string> = {
  EventName: 'e.g. StopLogging, TerminateInstances',
  Username: 'an IAM user name, or a role session name',
  ResourceName: 'a bucket, instance ID, ARN…',
  ResourceType: 'e.g. AWS::S3::Bucket',
  EventSource: 'e.g. iam.amazonaws.com',
  AccessKeyId: 'AKIA… or ASIA…',
  ReadOnly: 'true or false',
  EventId: 'the eventID of one event',
};

/** Asks for a time range: a preset, or a custom start and end. Undefined when cancelled. */
async function pickRange(current: TimeRange): Promise<TimeRange | undefined> {
  const items = [
    ...(Object.keys(RANGE_PRESETS) as RangePreset[]).map((p) => ({
      label: RANGE_PRESETS[p].label,
      range: { kind: 'preset' as const, preset: p },
      picked: current.kind === 'preset' && current.preset === p,
    })),
    { label: 'Custom range…', range: undefined, picked: current.kind === 'custom' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Time range (Event history keeps 90 days)' });
  if (!pick) return undefined;
  if (pick.range) return pick.range;
  const now = Date.now();
  const start = await vscode.window.showInputBox({
    title: 'Start (UTC)',
    prompt: 'e.g. 2024-03-01 or 2024-03-01T10:00Z',
    validateInput: (v) =>
      typeof customRange(v, '', now) === 'string' ? (customRange(v, '', now) as string) : undefined,
  });
  if (start === undefined) return undefined;
  const end = await vscode.window.showInputBox({
    title: 'End (UTC)',
    prompt: 'Empty for now',
    validateInput: (v) => {
      const r = customRange(start, v, now);
      return typeof r === 'string' ? r : undefined;
    },
  });
  if (end === undefined) return undefined;
  const r = customRange(start, end, now);
  return typeof r === 'string' ? undefined : r;
}

/** Asks for a lookup attribute and value; `null` means "no attribute". Undefined when cancelled. */
async function pickAttribute(
  keys: readonly LookupAttributeKey[],
  current?: LookupFilter['attribute'],
): Promise<LookupFilter['attribute'] | null | undefined> {
  const items = [
    { label: '(none: time range only)', key: undefined as LookupAttributeKey | undefined, description: '' },
    ...keys.map((k) => ({ label: k, key: k, description: ATTRIBUTE_HINTS[k] })),
  ];
  const pick =
    keys.length === 1
      ? items[1]
      : await vscode.window.showQuickPick(items, { title: 'Filter by (LookupEvents takes one attribute)' });
  if (!pick) return undefined;
  if (!pick.key) return null;
  const key = pick.key;
  const value = await vscode.window.showInputBox({
    title: `${key} equals…`,
    prompt: ATTRIBUTE_HINTS[key],
    value: current?.key === key ? current.value : '',
    validateInput: (v) => attributeProblem(key, v),
  });
  return value === undefined ? undefined : { key, value: value.trim() };
}

/** The region the user means: the one selected in the tree, the only one, or one they pick. */
async function pickRegion(
  provider: ExplorerProvider,
  view: vscode.TreeView<ExplorerNode>,
): Promise<RegionNode | undefined> {
  let sel: ExplorerNode | undefined = view.selection[0];
  while (sel && !(sel instanceof RegionNode)) sel = sel.parent;
  if (sel) return sel;
  const regions = (await provider.roots()).flatMap((p) => provider.regionsFor(p.profile).map((r) => p.region(r)));
  if (regions.length <= 1) {
    if (!regions.length)
      void vscode.window.showWarningMessage(
        'CloudTrail Lens: no AWS profile with a region. Add a profile to your AWS config, or a region with "CloudTrail: Add Region…".',
      );
    return regions[0];
  }
  const pick = await vscode.window.showQuickPick(
    regions.map((r) => ({ label: `${r.profile} · ${r.region}`, node: r })),
    { title: 'Which account and region?' },
  );
  return pick?.node;
}

async function lookup(
  provider: ExplorerProvider,
  view: vscode.TreeView<ExplorerNode>,
  keys: LookupAttributeKey[],
): Promise<void> {
  const region = await pickRegion(provider, view);
  if (!region) return;
  const attribute = await pickAttribute(keys);
  if (!attribute) return;
  region.events.setFilter({ attribute, range: NO_FILTER.range });
  provider.refresh(region.events);
  await view.reveal(region.events, { expand: true, focus: true, select: true });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function registerExplorerCommands(
  commands: Commands,
  provider: ExplorerProvider,
  view: vscode.TreeView<ExplorerNode>,
): vscode.Disposable[] {
  const reg = (id: CommandId, fn: CommandHandler): vscode.Disposable => commands.register(id, fn);
  return [
    reg(CommandId.Refresh, (node?: ExplorerNode) => {
      if (node) {
        node.reset();
        provider.refresh(node);
      } else provider.resetAll();
    }),
    reg(CommandId.SelectProfiles, async () => {
      const all = await provider.allProfiles();
      const shown = config.shownProfiles();
      const picks = await vscode.window.showQuickPick(
        all.map((p) => ({
          label: p.name,
          description: p.detail,
          picked: shown.length === 0 || shown.includes(p.name),
        })),
        { canPickMany: true, title: 'Profiles to show in the CloudTrail Lens explorer' },
      );
      if (!picks) return;
      await config.update('profiles', picks.length === all.length ? [] : picks.map((p) => p.label));
      provider.reloadProfiles();
    }),
    reg(CommandId.AddRegion, async (node?: ProfileNode) => {
      const current = new Set([...config.extraRegions(), ...(node?.profile.region ? [node.profile.region] : [])]);
      const picks = await vscode.window.showQuickPick(
        REGIONS.filter((r) => !current.has(r.code)).map((r) => ({ label: r.code, description: r.name })),
        { canPickMany: true, title: 'Regions to show under every profile', matchOnDescription: true },
      );
      if (!picks?.length) return;
      await config.update('regions', [...config.extraRegions(), ...picks.map((p) => p.label)]);
      provider.reloadProfiles();
    }),
    reg(CommandId.RemoveRegion, async (node?: RegionNode) => {
      if (!node) return;
      if (!config.extraRegions().includes(node.region)) {
        void vscode.window.showInformationMessage(
          `${node.region} is the region profile "${node.profile}" sets; change it in the AWS config file.`,
        );
        return;
      }
      await config.update(
        'regions',
        config.extraRegions().filter((r) => r !== node.region),
      );
      provider.reloadProfiles();
    }),
    reg(CommandId.FilterEvents, async (node?: EventsNode) => {
      if (!(node instanceof EventsNode)) return;
      const attribute = await pickAttribute(LOOKUP_ATTRIBUTES, node.filter.attribute);
      if (attribute === undefined) return;
      const range = await pickRange(node.filter.range);
      if (!range) return;
      node.setFilter({ attribute: attribute ?? undefined, range });
      provider.refresh(node);
      await view.reveal(node, { expand: true });
    }),
    reg(CommandId.ClearFilter, (node?: EventsNode) => {
      if (!(node instanceof EventsNode)) return;
      node.setFilter(NO_FILTER);
      provider.refresh(node);
    }),
    reg(CommandId.LoadMore, (node?: EventsNode) => (node instanceof EventsNode ? node.loadMore() : undefined)),
    reg(CommandId.OpenRemoteEvent, (node?: EventNode) => (node instanceof EventNode ? node.open() : undefined)),
    reg(CommandId.WhoDidThis, () => lookup(provider, view, ['ResourceName'])),
    reg(CommandId.FindByUser, () => lookup(provider, view, ['Username', 'AccessKeyId'])),
    reg(CommandId.SsoLogin, async (node?: ErrorNode | ProfileNode) => {
      const profile =
        node instanceof ErrorNode ? node.profile : node instanceof ProfileNode ? node.profile.name : undefined;
      if (!profile) return;
      const command = `aws sso login --profile ${shellQuote(profile)}`;
      // Only plain names are typed into a terminal (whose shell may not be POSIX); others can be copied.
      const runnable = /^[\w.@+=,-]+$/.test(profile);
      const pick = await vscode.window.showInformationMessage(
        `Sign in to the SSO session of profile "${profile}" with the AWS CLI: ${command}`,
        ...(runnable ? ['Run in Terminal'] : []),
        'Copy Command',
      );
      if (pick === 'Copy Command') await vscode.env.clipboard.writeText(command);
      if (pick === 'Run in Terminal') {
        const terminal = vscode.window.createTerminal({ name: `AWS SSO login (${profile})` });
        terminal.show();
        terminal.sendText(command);
        void vscode.window
          .showInformationMessage('When the sign-in completes, refresh the CloudTrail Lens explorer.', 'Refresh')
          .then((r) => r && provider.resetAll());
      }
    }),
  ];
}
