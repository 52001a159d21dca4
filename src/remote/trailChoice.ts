/**
 * Which trail a remote search or table set-up is for: the explorer node the command ran on, a
 * choice already made (a `.sql` document's, the log viewer's flow), or one picked among the shown
 * profiles' trails, the last one picked in this workspace first.
 */
import * as vscode from 'vscode';
import type { Trail } from '../core/aws/trailHealth';
import { TrailNode } from '../explorer/trailNode';
import type { RemoteDeps } from './remoteDeps';

const LAST_TRAIL = 'cloudtrailLens.remote.lastTrail';

/** A trail, as whom it is reached, and its home region (where Athena runs). */
export class TrailChoice {
  constructor(
    readonly profile: string,
    readonly trail: Trail,
    readonly region: string,
  ) {}

  get arn(): string {
    return this.trail.TrailARN ?? this.trail.Name ?? '';
  }

  get name(): string {
    return this.trail.Name ?? 'trail';
  }

  get logGroupArn(): string | undefined {
    return this.trail.CloudWatchLogsLogGroupArn || undefined;
  }

  /** How pickers and lenses name it: "main · dev · us-east-1". */
  get label(): string {
    return `${this.name} · ${this.profile} · ${this.region}`;
  }

  /** The key remembering it per workspace. */
  get key(): string {
    return `${this.profile}|${this.arn}`;
  }
}

/** The trail of a tree node, or the one already chosen; undefined for anything else. */
export function trailFromArg(arg: unknown): TrailChoice | undefined {
  if (arg instanceof TrailChoice) return arg;
  if (arg instanceof TrailNode) return new TrailChoice(arg.profile.name, arg.trail, arg.trail.HomeRegion ?? arg.api.target.region);
  return undefined;
}

/**
 * The trail for a command: from `arg`, or picked. `needLogs` offers only trails that deliver to a
 * CloudWatch Logs log group. Undefined when cancelled or when there is none (said in a message).
 */
export async function chooseTrail(deps: RemoteDeps, arg: unknown, o: { title: string; needLogs?: boolean }): Promise<TrailChoice | undefined> {
  const given = trailFromArg(arg);
  if (given) {
    if (o.needLogs && !given.logGroupArn) {
      void vscode.window.showErrorMessage(`Trail "${given.name}" does not deliver to CloudWatch Logs (it has no CloudWatchLogsLogGroupArn). Run the search in Athena instead, or configure the trail's CloudWatch Logs delivery.`);
      return undefined;
    }
    return given;
  }
  const last = deps.state.get<string>(LAST_TRAIL);
  const items = (async () => {
    const out: Array<vscode.QuickPickItem & { choice: TrailChoice }> = [];
    for (const p of await deps.provider.roots()) {
      for (const region of deps.provider.regionsFor(p.profile)) {
        const trails = await deps.provider.api(p.profile.name, region).describeTrails().catch((e: unknown) => {
          deps.output.warn(`Listing trails of ${p.profile.name} in ${region}: ${(e as Error).message}`);
          return [];
        });
        // A multi-region trail is listed in every region: offer it once, in its home region.
        for (const t of trails.filter((x) => (x.HomeRegion ?? region) === region)) {
          const choice = new TrailChoice(p.profile.name, t, region);
          if (o.needLogs && !choice.logGroupArn) continue;
          out.push({ label: choice.name, description: `${p.profile.name} · ${region}${choice.key === last ? ' · last used' : ''}`, detail: o.needLogs ? choice.logGroupArn : `s3://${t.S3BucketName ?? '?'}/${t.S3KeyPrefix ?? ''}`, choice });
        }
      }
    }
    const i = out.findIndex((x) => x.choice.key === last);
    if (i > 0) out.unshift(...out.splice(i, 1));
    return out;
  })();
  // Shown at once, busy while the trails are listed (one DescribeTrails per profile and region).
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { choice: TrailChoice }>();
  Object.assign(qp, { title: o.title, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true, busy: true, placeholder: 'Listing trails…' });
  const pick = await new Promise<TrailChoice | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.choice));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
    void items.then((listed) => {
      if (listed.length === 0) {
        void vscode.window.showErrorMessage(o.needLogs ? 'None of the trails of the shown profiles and regions delivers to CloudWatch Logs.' : 'No trails were found in the shown profiles and regions. Add a region or select profiles in the CloudTrail Lens explorer.');
        resolve(undefined);
        return;
      }
      qp.items = listed;
      qp.busy = false;
      qp.placeholder = 'Which trail?';
    }, (e: unknown) => {
      void vscode.window.showErrorMessage(`Could not list the trails: ${(e as Error).message}`);
      resolve(undefined);
    });
  });
  qp.dispose();
  if (!pick) return undefined;
  await deps.state.update(LAST_TRAIL, pick.key);
  return pick;
}
