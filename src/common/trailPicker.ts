/**
 * The one trail picker (docs/architecture.md, "Accounts"): which trail a command is for — the
 * explorer node it ran on, a choice already made (a `.sql` document's, the log viewer's flow), or
 * one picked among the shown profiles' trails, the last one picked in this workspace first.
 * Athena, CloudWatch Logs, S3 and integrity validation all ask through `chooseTrail`.
 */
import * as vscode from 'vscode';
import type { Trail } from '../core/aws/trailHealth';
import type { Accounts } from './accounts';

const LAST_TRAIL = 'cloudtrailLens.remote.lastTrail';

/** A trail, as whom it is reached, and its home region (where it is described and Athena runs). */
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

/** Something a command can be run on that names a trail (the explorer's trail node). */
export interface TrailCarrier {
  readonly trailChoice: TrailChoice;
}

function isTrailCarrier(v: unknown): v is TrailCarrier {
  return typeof v === 'object' && v !== null && (v as Partial<TrailCarrier>).trailChoice instanceof TrailChoice;
}

/** The trail of a tree node, or the one already chosen; undefined for anything else. */
export function trailFromArg(arg: unknown): TrailChoice | undefined {
  if (arg instanceof TrailChoice) return arg;
  if (isTrailCarrier(arg)) return arg.trailChoice;
  return undefined;
}

export interface TrailPickerDeps {
  accounts: Accounts;
  /** Per-workspace memory of the last trail picked. */
  state: vscode.Memento;
}

export interface TrailNeeds {
  title: string;
  /** Only trails that deliver to a CloudWatch Logs log group. */
  needLogs?: boolean;
  /** Only trails that name an S3 bucket (every trail does; a trimmed fake or a broken one may not). */
  needBucket?: boolean;
}

function lacks(choice: TrailChoice, o: TrailNeeds): string | undefined {
  if (o.needLogs && !choice.logGroupArn)
    return `Trail "${choice.name}" does not deliver to CloudWatch Logs (it has no CloudWatchLogsLogGroupArn). Run the search in Athena instead, or configure the trail's CloudWatch Logs delivery.`;
  if (o.needBucket && !choice.trail.S3BucketName) return `Trail "${choice.name}" names no S3 bucket.`;
  return undefined;
}

/**
 * The trail for a command: from `arg`, or picked. Undefined when cancelled or when there is none
 * (said in a message).
 */
export async function chooseTrail(
  deps: TrailPickerDeps,
  arg: unknown,
  o: TrailNeeds,
): Promise<TrailChoice | undefined> {
  const given = trailFromArg(arg);
  if (given) {
    const why = lacks(given, o);
    if (why) void vscode.window.showErrorMessage(why);
    return why ? undefined : given;
  }
  const last = deps.state.get<string>(LAST_TRAIL);
  const items = deps.accounts.trails().then((listed) => {
    const out: Array<vscode.QuickPickItem & { choice: TrailChoice }> = [];
    for (const { profile, region, trail } of listed) {
      const choice = new TrailChoice(profile, trail, region);
      if (lacks(choice, o)) continue;
      out.push({
        label: choice.name,
        description: `${profile} · ${region}${choice.key === last ? ' · last used' : ''}`,
        detail: o.needLogs ? choice.logGroupArn : `s3://${trail.S3BucketName ?? '?'}/${trail.S3KeyPrefix ?? ''}`,
        choice,
      });
    }
    const i = out.findIndex((x) => x.choice.key === last);
    if (i > 0) out.unshift(...out.splice(i, 1));
    return out;
  });
  // Shown at once, busy while the trails are listed (one DescribeTrails per profile and region).
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { choice: TrailChoice }>();
  Object.assign(qp, {
    title: o.title,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
    busy: true,
    placeholder: 'Listing trails…',
  });
  const pick = await new Promise<TrailChoice | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.choice));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
    void items.then(
      (listed) => {
        if (listed.length === 0) {
          void vscode.window.showErrorMessage(
            o.needLogs
              ? 'None of the trails of the shown profiles and regions delivers to CloudWatch Logs.'
              : 'No trails were found in the shown profiles and regions. Add a region or select profiles in the CloudTrail Lens explorer.',
          );
          resolve(undefined);
          return;
        }
        qp.items = listed;
        qp.busy = false;
        qp.placeholder = 'Which trail?';
      },
      (e: unknown) => {
        void vscode.window.showErrorMessage(`Could not list the trails: ${(e as Error).message}`);
        resolve(undefined);
      },
    );
  });
  qp.dispose();
  if (!pick) return undefined;
  await deps.state.update(LAST_TRAIL, pick.key);
  return pick;
}
