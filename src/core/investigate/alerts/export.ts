/**
 * "Export as alert…": a detection rule as a CloudWatch Logs metric filter with its metric and
 * alarm, and as an EventBridge rule, each as a CloudFormation template and as AWS CLI commands,
 * with every difference from the rule named (what the alert matches more or less than the rule).
 * Nothing here calls AWS; the text is for the user to review and deploy.
 */
import type { DetectionRule } from '../detections/rules';
import { ruleForms } from './conditions';
import { eventPattern } from './eventPattern';
import { metricFilterPatterns } from './metricFilter';
import type { Difference, Expr, QueryForm } from './model';

/** The namespace the exported metrics go to. */
export const METRIC_NAMESPACE = 'CloudTrailLens';

export interface AlarmSpec {
  /** Seconds: 60 × k (metric filters publish one-minute data). */
  period: number;
  threshold: number;
  evaluationPeriods: number;
}

export interface MetricFilterExport {
  filterName: string;
  /** One or more patterns; each filter adds 1 to the same metric per matching event. */
  patterns: string[];
  metricName: string;
  namespace: string;
  alarm: AlarmSpec;
  cloudFormation: string;
  cli: string;
  differences: Difference[];
  notes: string[];
}

export interface EventBridgeExport {
  ruleName: string;
  pattern: Record<string, unknown>;
  state: 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  cloudFormation: string;
  cli: string;
  differences: Difference[];
  notes: string[];
}

export interface AlertExport {
  rule: { id: string; title: string; severity: string; query: string[] };
  metricFilter: MetricFilterExport;
  eventBridge: EventBridgeExport;
}

/** Quotes a word for a POSIX shell: single quotes, each `'` written `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Text from a rule for a one-line description: control characters become spaces, 1024 characters at most. */
function oneLine(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .trim()
    .slice(0, 1024);
}

/** Builds both exports for a rule. */
export function exportAlerts(rule: DetectionRule): AlertExport {
  const forms = ruleForms(rule);
  return {
    rule: { id: rule.id, title: rule.title, severity: rule.severity, query: rule.query },
    metricFilter: metricFilterExport(rule, forms.queries, forms.differences),
    eventBridge: eventBridgeExport(rule, forms.queries, forms.differences),
  };
}

/** The alarm for a rule: its threshold as a count within a period, else one event in five minutes. */
export function alarmFor(rule: DetectionRule): { alarm: AlarmSpec; notes: string[] } {
  const t = rule.threshold;
  if (!t)
    return {
      alarm: { period: 300, threshold: 1, evaluationPeriods: 1 },
      notes: ['The alarm fires when one matching event or more arrives in a 5-minute period.'],
    };
  const period = Math.min(86_400, Math.max(60, Math.ceil((t.withinMinutes * 60) / 60) * 60));
  const notes = [
    `The alarm fires when ${t.count} or more matching events fall in one ${period / 60}-minute period. CloudWatch sums fixed periods, while the rule slides its window: a burst across two periods may reach the count in neither, so the alarm can stay silent where the rule fires.`,
  ];
  if (period !== t.withinMinutes * 60)
    notes.push(
      `The rule's ${t.withinMinutes} minutes became ${period / 60}: metric filters publish one-minute data, and alarms take periods of whole minutes (at most a day).`,
    );
  if (t.by)
    notes.push(
      `The rule counts per ${t.by}; the metric counts every principal together, so the alarm also fires on bursts spread over several.`,
    );
  return { alarm: { period, threshold: t.count, evaluationPeriods: 1 }, notes };
}

function metricFilterExport(rule: DetectionRule, queries: QueryForm[], ruleDiffs: Difference[]): MetricFilterExport {
  const { patterns, differences } = metricFilterPatterns(queries);
  const { alarm, notes } = alarmFor(rule);
  const filterName = `cloudtrail-lens-${rule.id}`;
  const metricName = `detection-${rule.id}`;
  notes.push(
    'The trail must send its events to the CloudWatch Logs log group (a trail with CloudWatch Logs delivery); the filter sees every region and event type the trail logs.',
    'No default value is published, so periods without matches have no data; the alarm treats missing data as not breaching.',
  );
  if (patterns.length > 1)
    notes.push(
      `The rule's queries are ${patterns.length} filters on one metric (together they pass CloudWatch's 1024-character limit); an event two of them match counts twice.`,
    );
  const names = patterns.map((_, i) => (patterns.length === 1 ? filterName : `${filterName}-${i + 1}`));
  const description = oneLine(`${rule.title} (CloudTrail Lens detection ${rule.id}, ${rule.severity})`);
  const resources: Record<string, unknown> = {};
  patterns.forEach((p, i) => {
    resources[`MetricFilter${patterns.length === 1 ? '' : i + 1}`] = {
      Type: 'AWS::Logs::MetricFilter',
      Properties: {
        LogGroupName: { Ref: 'LogGroupName' },
        FilterName: names[i],
        FilterPattern: p,
        MetricTransformations: [{ MetricNamespace: METRIC_NAMESPACE, MetricName: metricName, MetricValue: '1' }],
      },
    };
  });
  resources.Alarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `cloudtrail-lens-${rule.id}`,
      AlarmDescription: description,
      Namespace: METRIC_NAMESPACE,
      MetricName: metricName,
      Statistic: 'Sum',
      Period: alarm.period,
      EvaluationPeriods: alarm.evaluationPeriods,
      Threshold: alarm.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopicArn' }],
    },
  };
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: description,
    Parameters: {
      LogGroupName: { Type: 'String', Description: 'The CloudWatch Logs log group the CloudTrail trail delivers to.' },
      AlarmTopicArn: { Type: 'String', Description: 'The SNS topic the alarm notifies.' },
    },
    Resources: resources,
  };
  const transformation = JSON.stringify([{ metricName, metricNamespace: METRIC_NAMESPACE, metricValue: '1' }]);
  const cli = [
    '# Set these first:',
    "LOG_GROUP='CloudTrail/logs'",
    "TOPIC_ARN='arn:aws:sns:us-east-1:111122223333:security-alerts'",
    ...patterns.map((p, i) =>
      [
        'aws logs put-metric-filter',
        '--log-group-name "$LOG_GROUP"',
        `--filter-name=${shellQuote(names[i])}`,
        `--filter-pattern=${shellQuote(p)}`,
        `--metric-transformations=${shellQuote(transformation)}`,
      ].join(' \\\n  '),
    ),
    [
      'aws cloudwatch put-metric-alarm',
      `--alarm-name=${shellQuote(`cloudtrail-lens-${rule.id}`)}`,
      `--alarm-description=${shellQuote(description)}`,
      `--namespace=${METRIC_NAMESPACE}`,
      `--metric-name=${shellQuote(metricName)}`,
      '--statistic=Sum',
      `--period=${alarm.period}`,
      `--evaluation-periods=${alarm.evaluationPeriods}`,
      `--threshold=${alarm.threshold}`,
      '--comparison-operator=GreaterThanOrEqualToThreshold',
      '--treat-missing-data=notBreaching',
      '--alarm-actions "$TOPIC_ARN"',
    ].join(' \\\n  '),
  ].join('\n\n');
  return {
    filterName,
    patterns,
    metricName,
    namespace: METRIC_NAMESPACE,
    alarm,
    cloudFormation: JSON.stringify(template, null, 2),
    cli,
    differences: [...ruleDiffs, ...differences],
    notes,
  };
}

/** Whether every query requires readOnly:false (then read-only events need not be received). */
function writesOnly(queries: QueryForm[]): boolean {
  const requires = (e: Expr): boolean =>
    e.op === 'match'
      ? !e.negate &&
        e.loc.join('.') === 'readOnly' &&
        e.tests.every((t) => t.kind === 'exact' && t.value.toLowerCase() === 'false')
      : e.op === 'and'
        ? e.items.some(requires)
        : e.items.length > 0 && e.items.every(requires);
  return queries.every((q) => requires(q.expr));
}

const GLOBAL_SOURCES = /^(iam|sts|organizations|cloudfront|route53|signin|support|account)\.amazonaws\.com$/i;

function eventBridgeExport(rule: DetectionRule, queries: QueryForm[], ruleDiffs: Difference[]): EventBridgeExport {
  const { pattern, differences } = eventPattern(queries);
  const state = writesOnly(queries) ? 'ENABLED' : 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  const ruleName = `cloudtrail-lens-${rule.id}`.slice(0, 64);
  const description = oneLine(`${rule.title} (CloudTrail Lens detection ${rule.id}, ${rule.severity})`).slice(0, 512);
  const notes = [
    'EventBridge receives CloudTrail events in the region where they happen: deploy the rule in every region you watch.',
    "Events arrive only when CloudTrail records them: management events, and data events (S3 objects, Lambda invocations, …) only where a trail's selectors log them.",
    'source is limited to "aws." names, which only AWS services can send: an application cannot forge these events with PutEvents.',
  ];
  if (state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') {
    notes.push(
      'The rule may match read-only calls: its state is ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (a plain ENABLED rule does not receive read-only management events; this state is set through the CLI or CloudFormation).',
    );
  }
  const sources = new Set<string>();
  const collect = (e: Expr): void => {
    if (e.op === 'match') {
      if (e.loc.join('.') === 'eventSource' && !e.negate)
        for (const t of e.tests) if (t.kind === 'exact') sources.add(t.value);
    } else e.items.forEach(collect);
  };
  queries.forEach((q) => collect(q.expr));
  if (sources.size === 0 || [...sources].some((s) => GLOBAL_SOURCES.test(s))) {
    notes.push(
      'Events of global services (IAM, STS, AWS Organizations, CloudFront, Route 53, console sign-in) arrive in us-east-1: deploy the rule there too.',
    );
  }
  notes.push('An SNS topic target needs a topic policy allowing events.amazonaws.com to publish.');
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: description,
    Parameters: {
      TargetArn: {
        Type: 'String',
        Description: 'Where matching events go (an SNS topic, an SQS queue, a Lambda function…).',
      },
    },
    Resources: {
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: ruleName,
          Description: description,
          State: state,
          EventPattern: pattern,
          Targets: [{ Id: 'alert', Arn: { Ref: 'TargetArn' } }],
        },
      },
    },
  };
  const cli = [
    '# Set this first:',
    "TARGET_ARN='arn:aws:sns:us-east-1:111122223333:security-alerts'",
    [
      'aws events put-rule',
      `--name=${shellQuote(ruleName)}`,
      `--description=${shellQuote(description)}`,
      `--state=${state}`,
      `--event-pattern=${shellQuote(JSON.stringify(pattern))}`,
    ].join(' \\\n  '),
    ['aws events put-targets', `--rule=${shellQuote(ruleName)}`, '--targets "Id=alert,Arn=$TARGET_ARN"'].join(
      ' \\\n  ',
    ),
  ].join('\n\n');
  return {
    ruleName,
    pattern,
    state,
    cloudFormation: JSON.stringify(template, null, 2),
    cli,
    differences: [...ruleDiffs, ...differences],
    notes,
  };
}
